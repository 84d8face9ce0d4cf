// uvs-replay against the live director: the director's input is captured on both of its
// interfaces while HTTP flows through the NAT maquette, and its output on the other side of the
// cables (the switch's ports director-eth1/eth2: uvsd's AF_PACKET sends bypass the director's
// own taps); the input, replayed offline by an unprivileged user in a namespace with no network,
// must give the same frames, byte for byte (MACs, addresses, ports, TTL, IP and TCP checksums,
// partial ones included: the lab's offloads are on), as the live director sent.
//
//   client 192.168.10.1 ── lan10 ── eth1 [director] eth2 ── lan20 ──┬── S1 192.168.20.1
//                          192.168.10.254 + VIP .23   192.168.20.254 └── S2 192.168.20.2
//   tcpdump -Q in on the director's eth1, eth2 ──► in-eth1, in-eth2 (what it received)
//   tcpdump -Q in on the switch's director-eth1, director-eth2 ──► out-eth1, out-eth2 (what it sent)
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../../src/lab/lab.js';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import { readCaptureFile } from '../../src/pcap/read-capture.js';
import { fetchPages, natLab } from './helpers/nat-lab.js';

const UVS_REPLAY = fileURLToPath(new URL('../../src/bin/uvs-replay.js', import.meta.url));
let lab: Lab | undefined;
let dir: string;
const captures: ChildProcess[] = [];

/** Starts tcpdump on `ifName` of namespace `ns`, frames coming in, into `name`.pcap. */
function startCapture(ns: string, ifName: string, name: string): Promise<void> {
  const file = join(dir, `${name}.pcap`);
  const proc = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns,
      'tcpdump',
      '-Z',
      'root',
      '--immediate-mode',
      '-U',
      '-n',
      '-i',
      ifName,
      '-Q',
      'in',
      '-w',
      file,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  captures.push(proc);
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tcpdump ${ns} ${ifName}: ${err}`)), 10_000);
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', () => reject(new Error(`tcpdump exited: ${err}`)));
  });
}

async function stopCaptures(): Promise<void> {
  await Promise.all(
    captures.map((p) => {
      if (p.exitCode !== null) return Promise.resolve();
      p.kill('SIGTERM');
      return new Promise((r) => p.once('exit', r));
    }),
  );
}

/** The TCP frames of a capture file, as hex (Ethernet header included). */
function tcpFrames(file: string): string[] {
  return readCaptureFile(file)
    .records.filter((r) => r.data.readUInt16BE(12) === 0x0800 && r.data[14 + 9] === 6)
    .map((r) => r.data.toString('hex'));
}

/** Runs uvs-replay in a new network namespace (no interface but lo, down) as `nobody`. */
function replayUnprivileged(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(
    'unshare',
    [
      '--net',
      'setpriv',
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      process.execPath,
      UVS_REPLAY,
      ...args,
    ],
    { encoding: 'utf8', cwd: dir, timeout: 60_000 },
  );
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'uvs-replay-live-'));
  chmodSync(dir, 0o777); // nobody writes OUT.pcap here
  const l = natLab();
  lab = l;
  l.build();
  l.startDirector();
  for (const ifName of ['eth1', 'eth2']) {
    await startCapture(l.ns('director'), ifName, `in-${ifName}`);
    await startCapture(l.topo.switchNs, `director-${ifName}`, `out-${ifName}`);
  }
  // Configured while the captures run: uvsd's ARP for S1 and S2 is in the input capture.
  l.configure();
  assert.deepEqual(fetchPages(l, 4), [PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2]);
  await new Promise((r) => setTimeout(r, 500)); // the last frames reach the files
  await stopCaptures();
  const rules = l.uvsadm(['-S', '-n']);
  assert.equal(rules.code, 0, rules.stderr);
  writeFileSync(join(dir, 'rules.txt'), rules.stdout);
  for (const f of ['in-eth1', 'in-eth2', 'out-eth1', 'out-eth2'])
    chmodSync(join(dir, `${f}.pcap`), 0o644);
});

after(async () => {
  await stopCaptures();
  lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the live input replayed by nobody without a network gives the frames the live director sent', (t) => {
  const r = replayUnprivileged([
    '--rules',
    'rules.txt',
    'eth1=in-eth1.pcap',
    'eth2=in-eth2.pcap',
    'out.pcap',
  ]);
  assert.equal(r.code, 0, r.stderr);
  t.diagnostic(r.stdout + r.stderr);
  const live = [...tcpFrames(join(dir, 'out-eth1.pcap')), ...tcpFrames(join(dir, 'out-eth2.pcap'))];
  const replayed = tcpFrames(join(dir, 'out.pcap'));
  // 4 requests: at least SYN, ACK, GET, ACK, FIN each way through the director.
  assert.ok(live.length >= 4 * 8, `live director sent ${live.length} TCP frames`);
  assert.deepEqual([...replayed].sort(), [...live].sort(), r.stdout);
  assert.match(r.stdout, /forwarded +\d+/);
  assert.match(r.stdout, /interface eth2: MAC \S+ \(learnt/);
});

test('a malformed capture makes uvs-replay fail with the record number', () => {
  const whole = readFileSync(join(dir, 'in-eth2.pcap'));
  writeFileSync(join(dir, 'cut.pcap'), whole.subarray(0, whole.length - 3));
  chmodSync(join(dir, 'cut.pcap'), 0o644);
  const r = replayUnprivileged(['--rules', 'rules.txt', 'eth2=cut.pcap', 'out-cut.pcap']);
  const records = readCaptureFile(join(dir, 'in-eth2.pcap')).records.length;
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(
      `^uvs-replay: cut\\.pcap: record ${records} \\(byte \\d+\\): captured length \\d+ runs past the end of the file`,
    ),
  );
});
