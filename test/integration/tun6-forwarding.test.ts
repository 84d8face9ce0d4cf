// LVS-TUN over IPv6 through the real director: real servers on a routed subnet, IPv6-in-IPv6
// (next header 41) from the director, uvs-tun-endpoint decapsulating on each server.
//
//   client ── lan10 ── router ── lan20 ── director 2001:db8:20::253 + VIP 2001:db8:20::23
//   2001:db8:10::1        └───── lan30 ──┬── S1 2001:db8:30::1 (VIP on lo, uvs-tun-endpoint)
//                                         └── S2 2001:db8:30::2 (VIP on lo, uvs-tun-endpoint)
// Requests: client → router → director ⇒ IPv6-in-IPv6 ⇒ router → S; replies: S → router → client.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { captureFile, pcapFrames } from '../../src/lab/capture.js';
import { Lab } from '../../src/lab/lab.js';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import { TUN6_MAQUETTE } from '../../src/lab/maquette6.js';
import { deterministicBytes } from '../../src/lab/web-server.js';
import { parseIpv6 } from '../../src/packet/addr.js';
import { l4ChecksumOk6 } from '../../src/packet/checksum6.js';
import { until } from '../helpers/poll.js';
import { SeededRandom } from '../helpers/seeded-random.js';
import { capture, download, fetchPages, lengthAndSha256, upload } from './helpers/nat-lab.js';
import { tsharkFields } from './helpers/tshark.js';

const VIP = '2001:db8:20::23';
const URL6 = `http://[${VIP}]/`;
const lab = new Lab(TUN6_MAQUETTE, `uvn6${process.pid.toString(36)}`);

before(() => {
  lab.build();
  lab.startDirector();
  lab.configure();
});

after(() => lab.destroy());

test('TUN6: pages alternate and the replies bypass the director', async () => {
  let pages: string[] = [];
  const onDirector = await capture(
    lab,
    'director',
    'eth0',
    `ip6 and tcp and src host ${VIP}`,
    () => {
      pages = fetchPages(lab, 6, URL6);
    },
  );
  assert.deepEqual(pages, [PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2]);
  assert.deepEqual(onDirector, []);
  assert.match(lab.uvsadm(['-Ln']).stdout, /-> \[2001:db8:30::1\]:80 +Tunnel +1/);
});

test('what leaves the director toward the servers is IPv6-in-IPv6 carrying the client packet, unchanged but for its hop limit (tshark)', async () => {
  const { frames, rows } = await captureFile(
    lab.ns('director'),
    'eth0',
    'ip6',
    () => void fetchPages(lab, 2, URL6),
    (file) => ({
      frames: pcapFrames(readFileSync(file)),
      rows: tsharkFields(file, 'ipv6.nxt == 41', [
        'ipv6.nxt',
        'ipv6.hlim',
        'ipv6.src',
        'ipv6.dst',
        'tcp.dstport',
      ]),
    }),
  );
  assert.ok(rows.length >= 2, `IPv6-in-IPv6 frames seen: ${rows.length}`);
  for (const fields of rows) {
    // tshark lists the outer then the inner header's fields.
    const [nxt, hlim, srcs, dsts, dport] = fields;
    const row = fields.join(';');
    assert.equal(nxt, '41,6', row);
    // The inner hop limit, decremented by the director, and the outer one the same.
    assert.match(hlim!, /^(\d+),\1$/, row);
    assert.equal(srcs, '2001:db8:20::253,2001:db8:10::1', row);
    assert.match(dsts!, /^2001:db8:30::[12],2001:db8:20::23$/, row);
    assert.equal(dport, '80');
  }
  // Byte for byte: each packet that came in for the VIP leaves as the inner packet.
  const vip = parseIpv6(VIP);
  const ipv6 = (f: Buffer): boolean => f.readUInt16BE(12) === 0x86dd;
  const incoming = frames
    .filter((f) => ipv6(f) && f[20] === 6 && f.subarray(38, 54).equals(vip))
    .map((f) => f.subarray(14, 54 + f.readUInt16BE(18)));
  const inners = frames
    .filter((f) => ipv6(f) && f[20] === 41)
    .map((f) => f.subarray(54, 54 + 40 + f.readUInt16BE(58)));
  assert.ok(incoming.length > 0);
  for (const p of incoming)
    assert.ok(
      inners.some((q) => sameExceptPartialChecksum6(p, q)),
      'the client packet travels unchanged but for its hop limit',
    );
});

test('a 10 MB download through TUN6 arrives intact', () => {
  const n = 10 * 1024 * 1024;
  assert.equal(download(lab, `${URL6}bytes?n=${n}`), lengthAndSha256(deterministicBytes(n)));
});

test("a narrower link beyond the director: the router's packet too big about IPv6-in-IPv6 is relayed to the client", async () => {
  // The servers' LAN (router eth2, S1, S2) at MTU 1400; the director's own link stays 1500.
  const narrow = [
    ['router', 'eth2'],
    ['s1', 'eth0'],
    ['s2', 'eth0'],
  ] as const;
  for (const [host, ifName] of narrow) lab.topo.mtu(host, ifName, 1400);
  lab.run('client', 'ip', ['-6', 'route', 'flush', 'cache']);
  const body = new SeededRandom(1400).bytes(300_000);
  try {
    let answer = '';
    let fromRouter: string[] = [];
    const icmp = await capture(lab, 'client', 'eth0', 'icmp6', async () => {
      fromRouter = await capture(lab, 'director', 'eth0', 'icmp6', () => {
        answer = upload(lab, `${URL6}upload`, body);
      });
    });
    assert.equal(answer, lengthAndSha256(body));
    assert.ok(
      fromRouter.some((l) =>
        /2001:db8:20::254 > 2001:db8:20::253: ICMP6, packet too big, mtu 1400/.test(l),
      ),
      fromRouter.join('\n'),
    );
    assert.ok(
      icmp.some((l) => l.includes(`${VIP} > 2001:db8:10::1: ICMP6, packet too big, mtu 1360`)),
      icmp.join('\n'),
    );
  } finally {
    for (const [host, ifName] of narrow) lab.topo.mtu(host, ifName, 1500);
    lab.run('client', 'ip', ['-6', 'route', 'flush', 'cache']);
  }
});

test('with a route MTU toward the servers, the director sends packet too big and uploads still complete', async () => {
  const route = ['-6', 'route', 'replace', '2001:db8:30::/64', 'via', '2001:db8:20::254'];
  assert.equal(lab.run('director', 'ip', [...route, 'mtu', '1380']).code, 0);
  const body = new SeededRandom(1380).bytes(300_000);
  const tooBig = `${VIP} > 2001:db8:10::1: ICMP6, packet too big, mtu 1340`;
  try {
    // uvsd learns the route MTU when `ip monitor` reports the change: upload until the
    // director's packet too big names the route's MTU less the outer header, every upload whole.
    let icmp: string[] = [];
    await until(
      async () => {
        lab.run('client', 'ip', ['-6', 'route', 'flush', 'cache']);
        let answer = '';
        icmp = await capture(lab, 'client', 'eth0', 'icmp6', () => {
          answer = upload(lab, `${URL6}upload`, body);
        });
        assert.equal(answer, lengthAndSha256(body));
        return icmp.some((l) => l.includes(tooBig));
      },
      {
        what: 'packet too big from the director with the route MTU',
        timeoutMs: 20_000,
        lastSeen: () => icmp.join('\n'),
      },
    );
  } finally {
    lab.run('director', 'ip', ['-6', 'route', 'del', '2001:db8:30::/64']);
    lab.run('client', 'ip', ['-6', 'route', 'flush', 'cache']);
  }
});

/**
 * The inner packet `q` is the client's packet `p`, byte for byte, but for the TCP checksum when
 * the client's offload left it partial (the director completes it, as a NIC would on the wire):
 * then the inner checksum must verify.
 */
function sameExceptPartialChecksum6(p: Buffer, q: Buffer): boolean {
  if (p.length !== q.length) return false;
  const csum = 40 + 16;
  const a = Buffer.from(p);
  a[7] = a[7]! - 1; // the hop limit the director decremented
  if (a.equals(q)) return true;
  a.writeUInt16BE(q.readUInt16BE(csum), csum);
  return a.equals(q) && l4ChecksumOk6(q, 0, 40, q.length - 40, 6);
}
