import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv6, formatMac, parseIpv6, parseMac } from '../../src/packet/addr.js';
import { readU16, writeU16 } from '../../src/packet/checksum.js';
import { l4ChecksumOk6, setL4Checksum6 } from '../../src/packet/checksum6.js';
import { Eth } from '../../src/packet/ethernet.js';
import {
  buildPacketTooBig,
  buildPortUnreachable6,
  Icmp6,
  Icmp6Type,
  icmpv6EchoReplyInPlace,
  icmpv6IsError,
  icmpv6Mtu,
} from '../../src/packet/icmpv6.js';
import { Ipv6, IPV6_MIN_MTU } from '../../src/packet/ipv6.js';
import {
  buildNeighborSolicit,
  buildUnsolicitedNeighborAdvert,
  NaFlag,
  naFlags,
  Ndp,
  NDP_FRAME_LEN,
  ndpLinkLayerAddr,
  NdpOption,
  ndpValidate,
  neighborAdvertReplyInPlace,
} from '../../src/packet/ndp.js';
import { buildFrame6 } from './fixtures/frames6.js';
import { tsharkDissect } from './fixtures/pcap.js';

const IP = 14;
const ICMP = IP + 40;
const DIRECTOR_MAC = parseMac('02:00:00:00:00:fe');
const CLIENT_MAC = parseMac('02:00:00:00:00:02');
const RS_MAC = parseMac('02:00:00:00:00:11');
const LINK_LOCAL = parseIpv6('fe80::fe');
const RS = parseIpv6('2001:db8:20::11');
const VIP = parseIpv6('2001:db8:10::100');

const toVip = (payload: number) =>
  buildFrame6({
    src: '2001:db8:10::1',
    dst: '2001:db8:10::100',
    proto: 'tcp',
    dport: 81,
    payload: Buffer.alloc(payload, 0x61),
  });

test('port unreachable goes back from the VIP to the client, quoting the packet', () => {
  const q = toVip(20);
  const out = Buffer.alloc(2048);
  const len = buildPortUnreachable6(out, CLIENT_MAC, DIRECTOR_MAC, q, IP, q.length - IP);
  assert.equal(len, 14 + 40 + 8 + (q.length - IP));
  assert.equal(formatMac(out, Eth.Dst), '02:00:00:00:00:02');
  assert.equal(formatIpv6(out, IP + Ipv6.Src), '2001:db8:10::100');
  assert.equal(formatIpv6(out, IP + Ipv6.Dst), '2001:db8:10::1');
  assert.equal(out[ICMP + Icmp6.Type], Icmp6Type.DestUnreachable);
  assert.equal(out[ICMP + Icmp6.Code], 4);
  assert.ok(out.subarray(ICMP + 8, len).equals(q.subarray(IP)), 'the whole packet is quoted');
  assert.ok(l4ChecksumOk6(out, IP, ICMP, len - ICMP, 58));
  assert.ok(icmpv6IsError(out[ICMP]!));
  const [d] = tsharkDissect([out.subarray(0, len)]);
  assert.match(d!, /Type: Destination Unreachable \(1\)/);
  assert.match(d!, /Code: 4 \(Port unreachable\)/);
  assert.match(d!, /Checksum: 0x[0-9a-f]{4} \[correct\]/);
});

test('packet too big carries the MTU and stays within 1280 bytes', () => {
  const q = toVip(1400);
  const out = Buffer.alloc(2048);
  const len = buildPacketTooBig(out, CLIENT_MAC, DIRECTOR_MAC, q, IP, q.length - IP, 1400);
  assert.equal(len - IP, IPV6_MIN_MTU, 'RFC 4443 2.4 (c): as much as fits in the minimum MTU');
  assert.equal(icmpv6Mtu(out, ICMP), 1400);
  assert.equal(readU16(out, IP + Ipv6.PayloadLen), IPV6_MIN_MTU - 40);
  const [d] = tsharkDissect([out.subarray(0, len)]);
  assert.match(d!, /Type: Packet Too Big \(2\)/);
  assert.match(d!, /MTU: 1400/);
  assert.match(d!, /\[Checksum Status: Good\]/);
});

test('an echo request becomes its reply in place', () => {
  const f = buildFrame6({
    src: '2001:db8:10::1',
    dst: '2001:db8:10::100',
    proto: 'icmpv6',
    payload: 'ping',
    ext: [{ type: 60 }],
  });
  icmpv6EchoReplyInPlace(f, IP, IP + 48, f.length);
  assert.equal(f[IP + 48], Icmp6Type.EchoReply);
  assert.equal(formatIpv6(f, IP + Ipv6.Src), '2001:db8:10::100');
  const [d] = tsharkDissect([f]);
  assert.match(d!, /Type: Echo \(ping\) reply \(129\)/);
  assert.match(d!, /\[Checksum Status: Good\]/);
});

test('a neighbor solicitation for a real server goes to its solicited-node group', () => {
  const out = Buffer.alloc(128);
  const len = buildNeighborSolicit(out, DIRECTOR_MAC, LINK_LOCAL, 0, RS, 0);
  assert.equal(len, NDP_FRAME_LEN);
  assert.equal(formatMac(out, Eth.Dst), '33:33:ff:00:00:11');
  assert.equal(formatIpv6(out, IP + Ipv6.Dst), 'ff02::1:ff00:11');
  assert.equal(out[IP + Ipv6.HopLimit], 255);
  assert.equal(formatIpv6(out, ICMP + Ndp.Target), '2001:db8:20::11');
  assert.equal(ndpValidate(out, IP, ICMP, len), Icmp6Type.NeighborSolicit);
  const lla = ndpLinkLayerAddr(out, ICMP, len, NdpOption.SourceLinkAddr);
  assert.equal(formatMac(out, lla), '02:00:00:00:00:fe');
  const unicast = Buffer.alloc(128);
  buildNeighborSolicit(unicast, DIRECTOR_MAC, LINK_LOCAL, 0, RS, 0, RS_MAC);
  assert.equal(formatMac(unicast, Eth.Dst), '02:00:00:00:00:11');
  assert.equal(formatIpv6(unicast, IP + Ipv6.Dst), '2001:db8:20::11');
  assert.equal(ndpValidate(unicast, IP, ICMP, len), Icmp6Type.NeighborSolicit);
  const [d, u] = tsharkDissect([out.subarray(0, len), unicast.subarray(0, len)]);
  for (const x of [d!, u!]) {
    assert.match(x, /Type: Neighbor Solicitation \(135\)/);
    assert.match(x, /Target Address: 2001:db8:20::11/);
    assert.match(x, /Source link-layer address : 02:00:00:00:00:fe/);
    assert.match(x, /\[Checksum Status: Good\]/);
  }
});

test('a solicitation for a VIP becomes the solicited advertisement in place', () => {
  const ns = Buffer.alloc(128);
  const len = buildNeighborSolicit(ns, CLIENT_MAC, parseIpv6('fe80::2'), 0, VIP, 0);
  const na = neighborAdvertReplyInPlace(ns, DIRECTOR_MAC);
  assert.equal(na, NDP_FRAME_LEN);
  assert.equal(formatMac(ns, Eth.Dst), '02:00:00:00:00:02');
  assert.equal(formatMac(ns, Eth.Src), '02:00:00:00:00:fe');
  assert.equal(formatIpv6(ns, IP + Ipv6.Src), '2001:db8:10::100');
  assert.equal(formatIpv6(ns, IP + Ipv6.Dst), 'fe80::2');
  assert.equal(naFlags(ns, ICMP), NaFlag.Solicited | NaFlag.Override);
  assert.equal(ndpValidate(ns, IP, ICMP, len), Icmp6Type.NeighborAdvert);
  const [d] = tsharkDissect([ns.subarray(0, na)]);
  assert.match(d!, /Type: Neighbor Advertisement \(136\)/);
  assert.match(d!, /Flags: 0x60000000, Solicited, Override/);
  assert.match(d!, /Target link-layer address : 02:00:00:00:00:fe/);
  assert.match(d!, /\[Checksum Status: Good\]/);
});

test('an answer to duplicate address detection goes to all nodes, not solicited', () => {
  const ns = Buffer.alloc(128);
  const len = buildNeighborSolicit(ns, CLIENT_MAC, Buffer.alloc(16), 0, VIP, 0);
  ns.fill(0, ICMP + 24, len); // DAD carries no source link-layer option (RFC 4862 5.4.2)
  writeU16(ns, IP + Ipv6.PayloadLen, 24);
  writeU16(ns, ICMP + Icmp6.Csum, 0);
  setL4Checksum6(ns, IP, ICMP, 24, 58);
  assert.equal(ndpValidate(ns, IP, ICMP, ICMP + 24), Icmp6Type.NeighborSolicit);
  neighborAdvertReplyInPlace(ns, DIRECTOR_MAC, true);
  assert.equal(formatIpv6(ns, IP + Ipv6.Dst), 'ff02::1');
  assert.equal(formatMac(ns, Eth.Dst), '33:33:00:00:00:01');
  assert.equal(naFlags(ns, ICMP), NaFlag.Override | NaFlag.Router);
  assert.equal(ndpValidate(ns, IP, ICMP, NDP_FRAME_LEN), Icmp6Type.NeighborAdvert);
});

test('an unsolicited advertisement announces a VIP to all nodes (IPv6 gratuitous ARP)', () => {
  const out = Buffer.alloc(128);
  const len = buildUnsolicitedNeighborAdvert(out, DIRECTOR_MAC, VIP, 0);
  assert.equal(formatMac(out, Eth.Dst), '33:33:00:00:00:01');
  assert.equal(formatIpv6(out, IP + Ipv6.Dst), 'ff02::1');
  assert.equal(formatIpv6(out, IP + Ipv6.Src), '2001:db8:10::100');
  assert.equal(naFlags(out, ICMP), NaFlag.Override);
  assert.equal(ndpValidate(out, IP, ICMP, len), Icmp6Type.NeighborAdvert);
  const [d] = tsharkDissect([out.subarray(0, len)]);
  assert.match(d!, /Flags: 0x20000000, Override/);
  assert.match(d!, /Target Address: 2001:db8:10::100/);
  assert.match(d!, /\[Checksum Status: Good\]/);
});

test('invalid neighbor discovery messages are refused (RFC 4861 7.1)', () => {
  const good = (): Buffer => {
    const b = Buffer.alloc(128);
    buildNeighborSolicit(b, CLIENT_MAC, parseIpv6('fe80::2'), 0, VIP, 0);
    return b;
  };
  const resum = (b: Buffer, len = NDP_FRAME_LEN): void => {
    setL4Checksum6(b, IP, ICMP, len - ICMP, 58);
  };
  const rows: { name: string; edit: (b: Buffer) => number }[] = [
    {
      name: 'hop limit 64 (forwarded)',
      edit: (b) => ((b[IP + Ipv6.HopLimit] = 64), NDP_FRAME_LEN),
    },
    { name: 'code 1', edit: (b) => ((b[ICMP + 1] = 1), resum(b), NDP_FRAME_LEN) },
    { name: 'bad checksum', edit: (b) => ((b[ICMP + 30] = b[ICMP + 30]! ^ 1), NDP_FRAME_LEN) },
    {
      name: 'multicast target',
      edit: (b) => ((b[ICMP + Ndp.Target] = 0xff), resum(b), NDP_FRAME_LEN),
    },
    { name: 'option of length 0', edit: (b) => ((b[ICMP + 25] = 0), resum(b), NDP_FRAME_LEN) },
    { name: 'option past the end', edit: (b) => ((b[ICMP + 25] = 2), resum(b), NDP_FRAME_LEN) },
    { name: 'shorter than 24 bytes', edit: () => ICMP + 20 },
    {
      name: 'DAD solicitation with a source link-layer option',
      edit: (b) => (b.fill(0, IP + Ipv6.Src, IP + Ipv6.Src + 16), resum(b), NDP_FRAME_LEN),
    },
    {
      name: 'DAD solicitation not to a solicited-node group',
      edit: (b) => {
        b.fill(0, IP + Ipv6.Src, IP + Ipv6.Src + 16);
        VIP.copy(b, IP + Ipv6.Dst);
        writeU16(b, IP + Ipv6.PayloadLen, 24);
        resum(b, ICMP + 24);
        return ICMP + 24;
      },
    },
    {
      name: 'solicited advertisement to a multicast group',
      edit: (b) => {
        b[ICMP] = Icmp6Type.NeighborAdvert;
        b[ICMP + Ndp.Flags] = NaFlag.Solicited;
        b[ICMP + 24] = NdpOption.TargetLinkAddr;
        resum(b);
        return NDP_FRAME_LEN;
      },
    },
    { name: 'an echo request', edit: (b) => ((b[ICMP] = 128), resum(b), NDP_FRAME_LEN) },
  ];
  assert.equal(ndpValidate(good(), IP, ICMP, NDP_FRAME_LEN), Icmp6Type.NeighborSolicit);
  for (const r of rows) {
    const b = good();
    const end = r.edit(b);
    assert.equal(ndpValidate(b, IP, ICMP, end), 0, r.name);
  }
});

test('every frame builder writes at an offset what it writes at 0 (frames sit after headroom)', () => {
  const at = 74;
  const q = toVip(40);
  const builds: ((out: Buffer, at: number) => number)[] = [
    (o, a) => buildPortUnreachable6(o, CLIENT_MAC, DIRECTOR_MAC, q, IP, q.length - IP, a),
    (o, a) => buildPacketTooBig(o, CLIENT_MAC, DIRECTOR_MAC, q, IP, q.length - IP, 1280, a),
    (o, a) => buildNeighborSolicit(o, DIRECTOR_MAC, LINK_LOCAL, 0, RS, 0, undefined, a),
    (o, a) => buildNeighborSolicit(o, DIRECTOR_MAC, LINK_LOCAL, 0, RS, 0, RS_MAC, a),
    (o, a) => buildUnsolicitedNeighborAdvert(o, DIRECTOR_MAC, VIP, 0, true, a),
  ];
  for (const [k, build] of builds.entries()) {
    const plain = Buffer.alloc(512);
    const shifted = Buffer.alloc(512, 0xaa);
    const len = build(plain, 0);
    assert.equal(build(shifted, at), len, `builder ${k}`);
    assert.ok(shifted.subarray(at, at + len).equals(plain.subarray(0, len)), `builder ${k}`);
    assert.ok(
      shifted.subarray(0, at).every((b) => b === 0xaa),
      `builder ${k} wrote before its frame`,
    );
  }
  const ns = Buffer.alloc(256, 0xaa);
  buildNeighborSolicit(ns, CLIENT_MAC, parseIpv6('fe80::2'), 0, VIP, 0, undefined, at);
  assert.equal(neighborAdvertReplyInPlace(ns, DIRECTOR_MAC, false, at), NDP_FRAME_LEN);
  assert.equal(ndpValidate(ns, at + IP, at + ICMP, at + NDP_FRAME_LEN), Icmp6Type.NeighborAdvert);
  assert.equal(formatMac(ns, at + Eth.Dst), '02:00:00:00:00:02');
});
