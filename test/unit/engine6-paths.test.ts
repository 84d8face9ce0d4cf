// The IPv6 engine's other paths through EngineRig: GSO super-frames (NAT and DR keep them whole,
// TUN cuts them), LVS-TUN in IPv6-in-IPv6 and IPv6-in-IPv4, packet too big, port unreachable,
// ICMPv6 errors about a connection both ways, persistence by prefix, source hashing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipv4SetChecksum } from '../../src/packet/ipv4.js';
import { FwdMethod } from '../../src/engine/model.js';
import { Verdict } from '../../src/engine/verdict.js';
import { formatIpv6, parseIpv4, parseIpv6Words } from '../../src/packet/addr.js';
import { readU16 } from '../../src/packet/checksum.js';
import { l4ChecksumOk6 } from '../../src/packet/checksum6.js';
import { VnetFlag, VnetGso, VnetHdr } from '../../src/packet/virtio-net-hdr.js';
import {
  CLIENT_IF,
  DIR_CLIENT_MAC,
  DIR_SERVER_MAC,
  FakeEnv,
  SERVER_IF,
} from './fixtures/fake-env.js';
import { EngineRig } from './fixtures/engine-rig.js';
import { buildFrame } from './fixtures/frames.js';
import { buildFrame6 } from './fixtures/frames6.js';
import { superFrame6, wireSegments6 } from './fixtures/gso6.js';
import { dest } from './fixtures/nat-director.js';
import {
  checksumOk6,
  CLIENT6,
  CLIENT_MAC,
  fields6,
  fromClient6,
  nat6Director,
  S1_6,
  S1_MAC,
  S2_6,
  VIP6,
} from './fixtures/nat6-director.js';

const SYN = 0x02;
const MSS = 1428;
const ROUTER6 = '2001:db8:20::fe';
const ROUTER_MAC = '02:77:00:00:00:01';
const DIRECTOR6 = '2001:db8:20::254';

/** The ICMPv6 header of an IPv6 frame without extension headers. */
const icmp6 = (f: Buffer) => ({ type: f[54]!, code: f[55]!, param: f.readUInt32BE(58) });
const icmpOk = (f: Buffer): boolean => l4ChecksumOk6(f, 14, 54, 40 + readU16(f, 18) - 40, 58);

/** A TUN director: S1, S2 reached through a router on the servers' side. */
function tun6Director() {
  const d = nat6Director('rr', { method: FwdMethod.Tunnel });
  for (const x of d.director.table.activeDests()) {
    x.nextHop6.set(parseIpv6Words(ROUTER6));
    x.tunnelSrc6.set(parseIpv6Words(DIRECTOR6));
  }
  d.director.republish();
  d.rig.addNeighbour6(ROUTER6, ROUTER_MAC, SERVER_IF);
  return d;
}

for (const [name, method] of [
  ['NAT6', FwdMethod.Masq],
  ['DR6', FwdMethod.Route],
] as const) {
  test(`${name}: a TCP GSO super-frame crosses once, keeps its GSO fields, its segments' checksums verify`, () => {
    const { rig, clock } = nat6Director('rr', { method, rport: 8080 });
    const syn = fromClient6({ sport: 40000, flags: SYN });
    assert.equal(rig.process(syn, syn.length, CLIENT_IF, clock.now), Verdict.Forward);
    const sf = superFrame6(
      { srcMac: CLIENT_MAC, src: CLIENT6, dst: VIP6, proto: 'tcp', sport: 40000, flags: 0x18 },
      MSS,
      45,
    );
    assert.ok(sf.frame.length > 60000, 'a 64 KiB burst');
    const before = rig.sent.length;
    assert.equal(
      rig.process(sf.frame, sf.frame.length, CLIENT_IF, clock.now, sf.vnet),
      Verdict.Forward,
    );
    assert.equal(rig.sent.length, before + 1, 'one frame out for one frame in');
    const out = rig.last;
    assert.deepEqual(out.vnet, sf.vnet, 'virtio_net_hdr unchanged: the kernel cuts it');
    assert.equal(out.vnet[VnetHdr.GsoType], VnetGso.TcpV6);
    assert.ok(out.vnet[VnetHdr.Flags]! & VnetFlag.NeedsCsum, 'the checksum stays partial');
    const f = fields6(out.frame);
    assert.equal(f.dst, method === FwdMethod.Masq ? S1_6 : VIP6);
    assert.equal(f.dport, method === FwdMethod.Masq ? 8080 : 80);
    const segs = wireSegments6(out.frame, out.vnet);
    assert.equal(segs.length, 45);
    for (const s of segs) assert.ok(checksumOk6(s), 'every segment verifies');
  });
}

test("NAT6: the real server's UDP_L4 super-frame is SNATed whole; every datagram verifies", () => {
  const { rig, clock } = nat6Director('rr', { proto: 'udp', rport: 5353 });
  const q = fromClient6({ sport: 6000, proto: 'udp', payload: 'q' });
  rig.process(q, q.length, CLIENT_IF, clock.now);
  const sf = superFrame6(
    {
      srcMac: S1_MAC,
      dstMac: DIR_SERVER_MAC,
      src: S1_6,
      dst: CLIENT6,
      proto: 'udp',
      sport: 5353,
      dport: 6000,
    },
    1200,
    20,
  );
  assert.equal(
    rig.process(sf.frame, sf.frame.length, SERVER_IF, clock.now, sf.vnet),
    Verdict.Forward,
  );
  const out = rig.last;
  assert.equal(out.ifIndex, CLIENT_IF);
  assert.equal(out.vnet[VnetHdr.GsoType], VnetGso.UdpL4);
  const f = fields6(out.frame);
  assert.deepEqual([f.src, f.sport, f.dstMac], [VIP6, 80, CLIENT_MAC]);
  for (const s of wireSegments6(out.frame, out.vnet)) assert.ok(checksumOk6(s));
});

/** The inner IPv6 packet of an IPv6-in-IPv6 frame, as a frame of its own (for the helpers). */
const innerFrame = (f: Buffer): Buffer => Buffer.concat([f.subarray(0, 14), f.subarray(54)]);

test('TUN6: the packet, its hop limit decremented, inside IPv6-in-IPv6 (next header 41, the same hop limit) via the next hop', () => {
  const { rig, clock } = tun6Director();
  const f = fromClient6({ sport: 41000, flags: SYN, payload: 'tun', trafficClass: 0x28 });
  const inner = Buffer.from(f.subarray(14));
  assert.equal(rig.process(f, f.length, CLIENT_IF, clock.now), Verdict.Forward);
  const out = rig.last.frame;
  assert.equal(out.length, f.length + 40);
  assert.equal(out.readUInt16BE(12), 0x86dd);
  assert.equal(out[20], 41, 'next header: IPv6');
  assert.equal(out[21], 63, "the outer hop limit is the inner one's, decremented (as IPVS)");
  assert.equal(((out[14]! & 0x0f) << 4) | (out[15]! >> 4), 0x28, 'traffic class copied');
  assert.equal(formatIpv6(out, 22), DIRECTOR6);
  assert.equal(formatIpv6(out, 38), S1_6);
  assert.equal(readU16(out, 18), inner.length);
  inner[7] = inner[7]! - 1; // the hop limit
  assert.deepEqual(out.subarray(54), inner);
  assert.deepEqual(fields6(out).dstMac, ROUTER_MAC);
  assert.deepEqual(rig.last.vnet, Buffer.alloc(10), 'a plain frame');
});

test('TUN6: a TCP super-frame is cut by uvs into IPv6-in-IPv6 packets of the path MTU, each complete', () => {
  const { rig, clock } = tun6Director();
  const syn = fromClient6({ sport: 41001, flags: SYN });
  rig.process(syn, syn.length, CLIENT_IF, clock.now);
  const sf = superFrame6(
    { srcMac: CLIENT_MAC, src: CLIENT6, dst: VIP6, proto: 'tcp', sport: 41001, flags: 0x19 },
    1400,
    10,
  );
  const before = rig.sent.length;
  assert.equal(
    rig.process(sf.frame, sf.frame.length, CLIENT_IF, clock.now, sf.vnet),
    Verdict.Forward,
  );
  const segs = rig.sent.slice(before).map((s) => s.frame);
  assert.equal(segs.length, 10);
  let payload = Buffer.alloc(0);
  segs.forEach((s, k) => {
    assert.ok(s.length - 14 <= 1500, 'fits the link');
    assert.equal(s[20], 41);
    const inner = innerFrame(s);
    assert.ok(checksumOk6(inner), `segment ${k} verifies`);
    const flags = inner[14 + 40 + 13]!;
    assert.equal((flags & 0x01) !== 0, k === 9, 'FIN on the last only');
    payload = Buffer.concat([payload, inner.subarray(14 + 40 + 20)]);
  });
  assert.deepEqual(payload, sf.frame.subarray(14 + 40 + 20), 'the payload in order, whole');
});

test('TUN6 to an IPv4 real server: IPv6 in IPv4 (protocol 41, DF), the inner packet unchanged but for its hop limit', () => {
  const env = new FakeEnv().addNeighbour('192.168.30.254', ROUTER_MAC);
  const { rig, director, clock, key } = nat6Director('rr', { env });
  director.deleteDest(key, S1_6, 80);
  director.deleteDest(key, S2_6, 80);
  director.addDest(key, dest('192.168.30.1', 80, 1, FwdMethod.Tunnel));
  const d = director.table.find(key)!.dests[0]!;
  d.ifIndex = SERVER_IF;
  d.nextHop = parseIpv4('192.168.30.254');
  d.tunnelSrc = parseIpv4('192.168.20.254');
  director.republish();
  const f = fromClient6({ sport: 42000, flags: SYN, payload: 'mixed' });
  const inner = Buffer.from(f.subarray(14));
  assert.equal(rig.process(f, f.length, CLIENT_IF, clock.now), Verdict.Forward);
  const out = rig.last.frame;
  assert.equal(out.readUInt16BE(12), 0x0800);
  assert.equal(out[23], 41, 'protocol 41: IPv6 inside');
  assert.equal(readU16(out, 20) & 0x4000, 0x4000, 'DF');
  assert.equal(out.readUInt32BE(30), parseIpv4('192.168.30.1'));
  assert.equal(out[22], 63, 'the outer TTL: the inner hop limit, decremented');
  inner[7] = inner[7]! - 1;
  assert.deepEqual(out.subarray(34), inner);
  assert.equal(director.connections()[0]!.destAddr, '192.168.30.1');
});

test('TUN6: a packet too big once encapsulated gets packet too big with the MTU left for it', () => {
  const { rig, clock } = tun6Director();
  const big = fromClient6({ sport: 43000, flags: SYN, payload: Buffer.alloc(1500 - 60 - 10) });
  assert.equal(rig.process(big, big.length, CLIENT_IF, clock.now), Verdict.Reply);
  const e = rig.last.frame;
  assert.equal(rig.last.ifIndex, CLIENT_IF);
  assert.deepEqual(icmp6(e), { type: 2, code: 0, param: 1460 });
  assert.deepEqual([formatIpv6(e, 22), formatIpv6(e, 38)], [VIP6, CLIENT6]);
  assert.ok(icmpOk(e));
  assert.equal(rig.counters()['frag_needed'], 1);
});

test('NAT6: a packet too big for the path gets packet too big from the VIP; quoted within 1280 bytes', () => {
  const env = new FakeEnv();
  env.mtu = 1400;
  const { rig, clock } = nat6Director('rr', { env });
  const big = fromClient6({ sport: 44000, flags: SYN, payload: Buffer.alloc(1400) });
  assert.equal(rig.process(big, big.length, CLIENT_IF, clock.now), Verdict.Reply);
  const e = rig.last.frame;
  assert.deepEqual(icmp6(e), { type: 2, code: 0, param: 1400 });
  assert.equal(e.length, 14 + 1280, 'as much of the packet as fits in the minimum MTU');
  assert.ok(icmpOk(e));
  assert.equal(fields6(e).dstMac, CLIENT_MAC);
});

test('no available real server: port unreachable from the VIP, rate-limited, the rest counted', () => {
  const { rig, director, key, clock } = nat6Director('rr');
  for (const a of [S1_6, S2_6]) director.editDest(key, dest(a, 80, 0));
  const syn = fromClient6({ sport: 45000, flags: SYN });
  assert.equal(rig.process(syn, syn.length, CLIENT_IF, clock.now), Verdict.Reply);
  const e = rig.last.frame;
  assert.deepEqual(icmp6(e), { type: 1, code: 4, param: 0 });
  assert.deepEqual([formatIpv6(e, 22), formatIpv6(e, 38)], [VIP6, CLIENT6]);
  assert.ok(icmpOk(e));
  let replies = 1;
  for (let k = 0; k < 100; k++) {
    const s = fromClient6({ sport: 45001 + k, flags: SYN });
    if (rig.process(s, s.length, CLIENT_IF, clock.now) === Verdict.Reply) replies++;
  }
  assert.equal(replies, 50, 'a burst of 50, then one a millisecond');
  assert.equal(rig.counters()['drop.no_dest'], 51);
});

test('ICMPv6 errors about a NAT connection are rewritten both ways (ip_vs_in_icmp_v6 / out_icmp_v6)', () => {
  const { rig, clock } = nat6Director('rr', { rport: 8080 });
  const syn = fromClient6({ sport: 46000, flags: SYN });
  rig.process(syn, syn.length, CLIENT_IF, clock.now);
  // The client cannot take a packet of the VIP's: the error goes to the real server.
  const fromVip = buildFrame6({ src: VIP6, dst: CLIENT6, proto: 'tcp', sport: 80, dport: 46000 });
  const inErr = buildFrame6({
    srcMac: CLIENT_MAC,
    src: CLIENT6,
    dst: VIP6,
    proto: 'icmpv6',
    icmpType: 1,
    icmpCode: 4,
    payload: fromVip.subarray(14),
  });
  assert.equal(rig.process(inErr, inErr.length, CLIENT_IF, clock.now), Verdict.Forward);
  let out = rig.last.frame;
  assert.equal(rig.last.ifIndex, SERVER_IF);
  assert.equal(formatIpv6(out, 38), S1_6, 'outer destination: the real server');
  assert.equal(formatIpv6(out, 54 + 8 + 8), S1_6, 'quoted source: the real server');
  assert.equal(readU16(out, 54 + 8 + 40), 8080, 'quoted source port: the real port');
  assert.equal(out[21], 63);
  assert.ok(icmpOk(out));
  // The real server cannot take a packet of the client's: the error goes to the client.
  const toRip = buildFrame6({ src: CLIENT6, dst: S1_6, proto: 'tcp', sport: 46000, dport: 8080 });
  const outErr = buildFrame6({
    srcMac: S1_MAC,
    src: S1_6,
    dst: CLIENT6,
    proto: 'icmpv6',
    icmpType: 1,
    icmpCode: 4,
    payload: toRip.subarray(14),
  });
  assert.equal(rig.process(outErr, outErr.length, SERVER_IF, clock.now), Verdict.Forward);
  out = rig.last.frame;
  assert.equal(rig.last.ifIndex, CLIENT_IF);
  assert.deepEqual([formatIpv6(out, 22), formatIpv6(out, 54 + 8 + 24)], [VIP6, VIP6]);
  assert.equal(readU16(out, 54 + 8 + 40 + 2), 80, 'quoted destination port: the virtual port');
  assert.equal(fields6(out).srcMac, DIR_CLIENT_MAC);
  assert.ok(icmpOk(out));
});

test('-M 64: clients of one /64 keep one real server; templates are listed by their prefix', () => {
  const { rig, director, clock } = nat6Director('rr', {
    persistence: { timeout: 300, netmask: '64' },
  });
  const server = (src: string, sport: number): string => {
    const f = fromClient6({ src, sport, flags: SYN });
    rig.process(f, f.length, CLIENT_IF, clock.now);
    return fields6(f).dst;
  };
  const first = server('2001:db8:10::1', 47000);
  assert.equal(server('2001:db8:10::abcd', 47001), first, 'same /64');
  assert.equal(server('2001:db8:10:0:1:2:3:4', 47002), first, 'same /64');
  const other = server('2001:db8:11::1', 47003);
  assert.notEqual(other, first, 'another /64 is scheduled anew (rr)');
  const templates = director.connections().filter((c) => c.isTemplate);
  assert.deepEqual(
    templates.map((t) => [t.clientAddr, t.clientPort, t.virtualAddr, t.destAddr]).sort(),
    [
      ['2001:db8:10::', 0, VIP6, first],
      ['2001:db8:11::', 0, VIP6, other],
    ].sort(),
  );
  const s = director.services()[0]!;
  assert.equal(s.persistence?.netmask, '64');
});

test('sh: a client address keeps its server across connections (IPVS folds the IPv6 words)', () => {
  const { rig, clock } = nat6Director('sh');
  const seen = new Map<string, Set<string>>();
  for (let c = 1; c <= 8; c++) {
    for (let p = 0; p < 3; p++) {
      const src = `2001:db8:10::${c}`;
      const f = fromClient6({ src, sport: 48000 + c * 10 + p, flags: SYN });
      rig.process(f, f.length, CLIENT_IF, clock.now);
      (seen.get(src) ?? seen.set(src, new Set()).get(src)!).add(fields6(f).dst);
    }
  }
  for (const [src, servers] of seen) assert.equal(servers.size, 1, src);
  const used = new Set([...seen.values()].flatMap((s) => [...s]));
  assert.equal(used.size, 2, 'both servers get clients');
});

test('TUN from an IPv4 service to an IPv6 real server: IPv4 in IPv6 (next header 4), the inner packet unchanged but for its TTL', () => {
  const env = new FakeEnv();
  let now = 1_000_000;
  const rig = new EngineRig(env, () => now);
  const key = { kind: 'addr' as const, proto: 'tcp' as const, vip: '192.168.10.23', port: 80 };
  rig.director.addService({ key, scheduler: 'rr' });
  rig.director.addDest(key, dest(S1_6, 80, 1, FwdMethod.Tunnel));
  const d = [...rig.director.table.activeDests()][0]!;
  d.ifIndex = SERVER_IF;
  d.nextHop6.set(parseIpv6Words(ROUTER6));
  d.tunnelSrc6.set(parseIpv6Words(DIRECTOR6));
  rig.director.republish();
  const f = buildFrame({
    srcMac: CLIENT_MAC,
    src: '192.168.10.1',
    dst: '192.168.10.23',
    proto: 'tcp',
    sport: 49000,
    dport: 80,
    flags: SYN,
    payload: 'v4 in v6',
  });
  const inner = Buffer.from(f.subarray(14));
  assert.equal(rig.process(f, f.length, CLIENT_IF, now), Verdict.Drop, 'the next hop is solicited');
  const ns = rig.last.frame;
  assert.equal(ns[54], 135, 'a neighbour solicitation');
  assert.equal(formatIpv6(ns, 38), 'ff02::1:ff00:fe', "to the router's solicited-node group");
  rig.addNeighbour6(ROUTER6, ROUTER_MAC, SERVER_IF, now);
  now += 1000;
  const again = Buffer.from(f);
  assert.equal(rig.process(again, again.length, CLIENT_IF, now), Verdict.Forward);
  const out = rig.last.frame;
  assert.equal(out.readUInt16BE(12), 0x86dd);
  assert.equal(out[20], 4, 'next header 4: IPv4 inside');
  assert.deepEqual([formatIpv6(out, 22), formatIpv6(out, 38)], [DIRECTOR6, S1_6]);
  assert.equal(out[21], 63, 'the outer hop limit: the inner TTL, decremented');
  inner[8] = 63;
  ipv4SetChecksum(inner, 0);
  assert.deepEqual(out.subarray(54), inner);
  assert.equal(rig.director.connections()[0]!.destAddr, S1_6);
});

test('drop_entry over IPv6: a table full of half-open IPv6 entries makes room for new clients', () => {
  const rigWith = (defense: {
    dropEntry: number;
    dropPacket: number;
    secureTcp: number;
    amemthresh: number;
  }) => {
    const d = nat6Director('rr');
    const rig = new EngineRig(d.env, () => d.clock.now, 1024);
    rig.director.addService({ key: d.key, scheduler: 'rr' });
    for (const a of [S1_6, S2_6]) rig.director.addDest(d.key, dest(a, 80));
    rig.routeDestsVia(SERVER_IF);
    rig.addNeighbour6(S1_6, S1_MAC, SERVER_IF);
    rig.addNeighbour6(S2_6, '02:52:00:00:00:02', SERVER_IF);
    rig.director.setDefense({ firstSynDrop: 0, ...defense });
    return { rig, now: d.clock.now };
  };
  const flood = (rig: EngineRig, now: number): void => {
    for (let k = 0; k < 1500; k++) {
      const src = `2001:db8:66::${(k + 1).toString(16)}`;
      const f = fromClient6({ src, sport: 1024 + k, flags: SYN });
      rig.process(f, f.length, CLIENT_IF, now);
    }
  };
  const off = rigWith({ dropEntry: 0, dropPacket: 0, secureTcp: 0, amemthresh: 64 });
  flood(off.rig, off.now);
  const late = fromClient6({ sport: 50000, flags: SYN });
  assert.equal(off.rig.process(late, late.length, CLIENT_IF, off.now), Verdict.Drop);
  assert.ok(off.rig.counters()['drop.table_full']! > 0, 'without defences, the table fills');
  const on = rigWith({ dropEntry: 1, dropPacket: 0, secureTcp: 0, amemthresh: 64 });
  flood(on.rig, on.now);
  assert.ok(on.rig.shared.conns6.count >= 1024 - 64, `full: ${on.rig.shared.conns6.count}`);
  for (let k = 0; k < 20; k++) {
    const f = fromClient6({ sport: 51000 + k, flags: SYN });
    assert.equal(on.rig.process(f, f.length, CLIENT_IF, on.now), Verdict.Forward, `client ${k}`);
  }
  assert.equal(on.rig.counters()['drop.table_full'], 0);
  assert.ok(on.rig.counters()['evicted']! > 0);
});
