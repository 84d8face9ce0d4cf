// uvsd against bad input and uvsadm against wrong use, on the course's NAT maquette:
// malformed frames from the client are dropped (in the kernel by the capture filter when it
// cannot read their IP header, else counted by reason), the daemon keeps forwarding;
// uvsadm's errors and exit statuses match ipvsadm's; -Lnc shows live connection states.
//
//   client ── lan10 ── eth1 [director] eth2 ── lan20 ── S1, S2
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { until } from '../helpers/poll.js';
import { fileURLToPath } from 'node:url';
import { UVSADM } from '../../src/lab/lab.js';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import { writeU16 } from '../../src/packet/checksum.js';
import { buildFrame } from '../unit/fixtures/frames.js';
import { counters, fetchPages, natLab } from './helpers/nat-lab.js';

const SEND_FRAMES = fileURLToPath(new URL('./fixtures/send-frames.js', import.meta.url));
const VIP = '192.168.10.23';
const lab = natLab();

before(() => {
  lab.build();
  lab.startDirector();
  lab.configure();
});

after(() => lab.destroy());

function macOf(host: string, ifName: string): string {
  const r = lab.run(host, 'ip', ['-j', 'link', 'show', ifName]);
  return (JSON.parse(r.stdout) as { address: string }[])[0]!.address;
}

test('malformed frames to the VIP are dropped, in the kernel or counted by reason; uvsd keeps forwarding', async () => {
  const dirMac = macOf('director', 'eth1');
  const cliMac = macOf('client', 'eth0');
  const syn = () =>
    buildFrame({
      srcMac: cliMac,
      dstMac: dirMac,
      src: '192.168.10.1',
      dst: VIP,
      proto: 'tcp',
      sport: 61000,
      dport: 80,
      flags: 0x02,
    });
  const frames: Buffer[] = [];
  frames.push(syn().subarray(0, 14 + 12)); // IP header cut short
  {
    const b = syn();
    b[14] = 0x43;
    frames.push(b);
  } // IHL below 5 words
  {
    const b = syn();
    writeU16(b, 16, 1400);
    frames.push(b);
  } // total length beyond the frame
  {
    const b = syn();
    writeU16(b, 16, 30);
    frames.push(b);
  } // TCP header cut short
  {
    const b = syn();
    writeU16(b, 20, 0x2000);
    frames.push(b);
  } // a fragment
  const before = counters(lab);
  const r = lab.run('client', process.execPath, [
    SEND_FRAMES,
    'eth0',
    ...frames.map((f) => f.toString('hex')),
  ]);
  assert.equal(r.code, 0, r.stderr);
  // Bounded wait for the daemon to have read them (the fragment is the last one sent).
  let now = counters(lab);
  await until(() => (now = counters(lab))['drop.fragment'] !== before['drop.fragment'], {
    what: 'uvsd counted the fragment',
    timeoutMs: 3000,
    lastSeen: () => JSON.stringify(now),
  });
  const delta = (k: string) => now[k]! - before[k]!;
  const all = Object.fromEntries(
    Object.keys(now)
      .map((k): [string, number] => [k, delta(k)])
      .filter(([, v]) => v !== 0),
  );
  // The capture filter (a BPF program) cannot read ports past a cut or too short IP header: the
  // kernel drops those two before userspace (the engine's own handling is in engine-malformed).
  assert.equal(delta('drop.bad_ip_header'), 0, `short header and bad IHL: ${JSON.stringify(all)}`);
  assert.equal(delta('drop.truncated'), 2, 'total length and TCP header');
  assert.equal(delta('drop.fragment'), 1);
  assert.equal(lab.uvsadm(['-Ln']).code, 0, 'uvsd still answers');
  assert.deepEqual([...fetchPages(lab, 2)].sort(), [PAGE_S1, PAGE_S2], 'and still forwards');
});

test('uvsadm mirrors ipvsadm errors and exit statuses through the real binary', () => {
  const illegal = lab.uvsadm(['-A', '-t', `${VIP}:81`, '-r', '192.168.20.1']);
  assert.deepEqual(
    { code: illegal.code, err: illegal.stderr },
    { code: 2, err: "Illegal 'real-server' option with the 'add-service' command\n" },
  );
  const missing = lab.uvsadm(['-D', '-t', '10.9.9.9:80']);
  assert.deepEqual(
    { code: missing.code, err: missing.stderr },
    { code: 255, err: 'No such service\n' },
  );
  const first = lab.uvsadm(['-n']);
  assert.equal(first.code, 255);
  assert.match(first.stderr, /^Try `uvsadm -h' or 'uvsadm --help' for more information\.$/m);
  assert.match(
    lab.uvsadm(['--help']).stdout,
    /--add-service {5}-A {8}add virtual service with options/,
  );
  // The client namespace has no uvsd: uvsadm says so and fails.
  const none = lab.run('client', process.execPath, [UVSADM, '-Ln']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /cannot reach uvsd on \/run\/uvs\/net-\d+\.sock/);
});

test('uvsadm -Lnc shows an established connection, then its TIME_WAIT, in ipvsadm format', async () => {
  const held = lab.topo.start('client', 'curl', [
    '-sS',
    '--max-time',
    '10',
    `http://${VIP}/hold?ms=2500`,
  ]);
  let listing = '';
  const lastSeen = (): string => listing;
  await until(() => /ESTABLISHED/.test((listing = lab.uvsadm(['-Lnc']).stdout)), {
    what: 'the held connection ESTABLISHED',
    timeoutMs: 5000,
    lastSeen,
  });
  assert.match(
    listing,
    /^TCP 14:5\d {2}ESTABLISHED 192\.168\.10\.1:\d+ +192\.168\.10\.23:80 +192\.168\.20\.[12]:80$/m,
  );
  await new Promise((r) => held.child.once('exit', r));
  // curl has exited; the client's last ACK may still be on its way through the director.
  await until(() => /TIME_WAIT/.test((listing = lab.uvsadm(['-Lnc']).stdout)), {
    what: 'the connection in TIME_WAIT',
    timeoutMs: 5000,
    lastSeen,
  });
  assert.match(
    listing,
    /^TCP 0[12]:\d\d {2}TIME_WAIT {3}192\.168\.10\.1:\d+ +192\.168\.10\.23:80 +192\.168\.20\.[12]:80$/m,
  );
});
