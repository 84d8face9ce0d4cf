// LVS-TUN through the real director: real servers on a routed subnet, IPIP from the
// director, uvs-tun-endpoint decapsulating on each server (this kernel has no ipip).
//
//   client ── lan10 ── router ── lan20 ── director 192.168.20.253 + VIP 192.168.20.23
//                         └───── lan30 ──┬── S1 192.168.30.1 (VIP on lo, uvs-tun-endpoint)
//                                         └── S2 192.168.30.2 (VIP on lo, uvs-tun-endpoint)
// Requests: client → router → director ⇒ IPIP ⇒ router → S; replies: S → router → client.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { captureFile, pcapFrames } from '../../src/lab/capture.js';
import { Lab } from '../../src/lab/lab.js';
import { PAGE_S1, PAGE_S2, TUN_MAQUETTE } from '../../src/lab/maquette.js';
import { deterministicBytes } from '../../src/lab/web-server.js';
import { until } from '../helpers/poll.js';
import { checksumsOk } from '../unit/fixtures/frames.js';
import { ipv4SetChecksum } from '../../src/packet/ipv4.js';
import { SeededRandom } from '../helpers/seeded-random.js';
import { capture, download, fetchPages, lengthAndSha256, upload } from './helpers/nat-lab.js';
import { tsharkFields } from './helpers/tshark.js';

const VIP = '192.168.20.23';
const lab = new Lab(TUN_MAQUETTE, `uvn${process.pid.toString(36)}`);

before(() => {
  lab.build();
  lab.startDirector();
  lab.configure();
});

after(() => lab.destroy());

test('TUN: pages alternate and the replies bypass the director', async () => {
  let pages: string[] = [];
  const onDirector = await capture(lab, 'director', 'eth0', `tcp and src host ${VIP}`, () => {
    pages = fetchPages(lab, 6, `http://${VIP}/`);
  });
  assert.deepEqual(pages, [PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2]);
  assert.deepEqual(onDirector, []);
  assert.match(lab.uvsadm(['-Ln']).stdout, /-> 192\.168\.30\.1:80 {14}Tunnel {2}1/);
});

test('what leaves the director toward the servers is IPIP carrying the client packet, unchanged but for its TTL (tshark)', async () => {
  const { frames, rows } = await captureFile(
    lab.ns('director'),
    'eth0',
    'tcp or ip proto 4',
    () => void fetchPages(lab, 2, `http://${VIP}/`),
    (file) => ({
      frames: pcapFrames(readFileSync(file)),
      rows: tsharkFields(file, 'ip.proto == 4', ['ip.proto', 'ip.src', 'ip.dst', 'tcp.dstport']),
    }),
  );
  assert.ok(rows.length >= 2, `IPIP frames seen: ${rows.length}`);
  for (const fields of rows) {
    // tshark lists the outer then the inner header's fields.
    const [protos, srcs, dsts, dport] = fields;
    const row = fields.join(';');
    assert.equal(protos, '4,6', row);
    assert.equal(srcs, `192.168.20.253,192.168.10.1`, row);
    assert.match(dsts!, /^192\.168\.30\.[12],192\.168\.20\.23$/, row);
    assert.equal(dport, '80');
  }
  // Byte for byte: each packet that came in for the VIP leaves as the inner packet, its TTL
  // decremented (as IPVS does for every method) and the outer TTL the same.
  const incoming = frames
    .filter((f) => f[23] === 6 && f.readUInt32BE(30) === 0xc0a81417)
    .map((f) => f.subarray(14, 14 + f.readUInt16BE(16)));
  const inners = frames
    .filter((f) => f[23] === 4)
    .map((f) => f.subarray(34, 14 + f.readUInt16BE(16)));
  assert.ok(incoming.length > 0);
  for (const p of incoming)
    assert.ok(
      inners.some((q) => sameExceptPartialChecksum(p, q)),
      'the client packet travels unchanged but for its TTL',
    );
  const outerTtls = frames.filter((f) => f[23] === 4).map((f) => [f[22], f[34 + 8]]);
  for (const [outer, inner] of outerTtls) assert.equal(outer, inner, 'outer TTL = inner TTL');
});

test('a 10 MB download through TUN arrives intact', () => {
  const n = 10 * 1024 * 1024;
  assert.equal(download(lab, `http://${VIP}/bytes?n=${n}`), lengthAndSha256(deterministicBytes(n)));
});

test("a narrower link beyond the director: the router's fragmentation-needed about IPIP is relayed to the client", async () => {
  // The servers' LAN (router eth2, S1, S2) at MTU 1300; the director's own link stays 1500.
  for (const [host, ifName] of [
    ['router', 'eth2'],
    ['s1', 'eth0'],
    ['s2', 'eth0'],
  ] as const)
    lab.topo.mtu(host, ifName, 1300);
  // The client forgets the path MTU the previous test taught it.
  lab.run('client', 'ip', ['route', 'flush', 'cache']);
  const body = new SeededRandom(1300).bytes(300_000);
  try {
    let answer = '';
    let fromRouter: string[] = [];
    const icmp = await capture(lab, 'client', 'eth0', 'icmp', async () => {
      fromRouter = await capture(lab, 'director', 'eth0', 'icmp', () => {
        answer = upload(lab, `http://${VIP}/upload`, body);
      });
    });
    assert.equal(answer, lengthAndSha256(body));
    assert.ok(
      fromRouter.some((l) =>
        /192\.168\.20\.254 > 192\.168\.20\.253: ICMP 192\.168\.30\.[12] unreachable - need to frag \(mtu 1300\)/.test(
          l,
        ),
      ),
      fromRouter.join('\n'),
    );
    assert.ok(
      icmp.some((l) =>
        l.includes(
          `${VIP} > 192.168.10.1: ICMP 192.168.20.23 unreachable - need to frag (mtu 1280)`,
        ),
      ),
      icmp.join('\n'),
    );
  } finally {
    for (const [host, ifName] of [
      ['router', 'eth2'],
      ['s1', 'eth0'],
      ['s2', 'eth0'],
    ] as const)
      lab.topo.mtu(host, ifName, 1500);
  }
});

test('with a small MTU on the tunnel path, the director sends ICMP fragmentation-needed and uploads still complete', async () => {
  // The path to the servers is narrower than the links: a route MTU, as IPVS reads dst_mtu.
  assert.equal(
    lab.run('director', 'ip', [
      'route',
      'replace',
      '192.168.30.0/24',
      'via',
      '192.168.20.254',
      'mtu',
      '1300',
    ]).code,
    0,
  );
  const body = new SeededRandom(1280).bytes(300_000);
  const fragNeeded = `${VIP} > 192.168.10.1: ICMP 192.168.20.23 unreachable - need to frag (mtu 1280)`;
  try {
    // uvsd learns the route MTU when `ip monitor` reports the change (debounced), so the first
    // upload may leave before it knows: upload until the director's fragmentation-needed names
    // the route's MTU (1300 − 20 for the outer header), every upload complete and intact.
    let icmp: string[] = [];
    await until(
      async () => {
        lab.run('client', 'ip', ['route', 'flush', 'cache']); // forget what earlier uploads taught
        let answer = '';
        icmp = await capture(lab, 'client', 'eth0', 'icmp', () => {
          answer = upload(lab, `http://${VIP}/upload`, body);
        });
        assert.equal(answer, lengthAndSha256(body));
        return icmp.some((l) => l.includes(fragNeeded));
      },
      {
        what: 'fragmentation-needed from the director with the route MTU',
        timeoutMs: 20_000,
        lastSeen: () => icmp.join('\n'),
      },
    );
  } finally {
    lab.run('director', 'ip', ['route', 'del', '192.168.30.0/24']);
    lab.run('client', 'ip', ['route', 'flush', 'cache']);
  }
});

/**
 * The inner packet `q` is the client's packet `p`, byte for byte, but for the TCP checksum when
 * the client's offload left it partial (the director completes it, as a NIC would on the wire):
 * then the inner checksum must verify.
 */
function sameExceptPartialChecksum(p: Buffer, q: Buffer): boolean {
  if (p.length !== q.length) return false;
  const csum = ((p[0]! & 0x0f) << 2) + 16;
  const a = Buffer.from(p);
  // The director decremented the TTL: the header checksum follows.
  a[8] = a[8]! - 1;
  ipv4SetChecksum(a, 0);
  if (a.equals(q)) return true;
  a.writeUInt16BE(q.readUInt16BE(csum), csum);
  if (!a.equals(q)) return false;
  const frame = Buffer.concat([Buffer.alloc(14), q]);
  return checksumsOk(frame);
}
