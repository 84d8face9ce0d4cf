import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv6, formatMac, parseIpv6, parseMac } from '../../src/packet/addr.js';
import { Eth } from '../../src/packet/ethernet.js';
import { Icmp6Type } from '../../src/packet/icmpv6.js';
import { FIRST_FRAME_OFFSET } from '../../src/packet/frame-layout.js';
import { Ipv6 } from '../../src/packet/ipv6.js';
import {
  buildNeighborAdvert,
  buildNeighborSolicit,
  NaFlag,
  naFlags,
  Ndp,
  NDP_FRAME_LEN,
  ndpValidate,
} from '../../src/packet/ndp.js';
import { parseIpv6AddrJson, type Ipv6IfAddress } from '../../src/net/interface-addrs6.js';
import { NdpNeighbours, ndpInterfaces, sourceFor } from '../../src/net/ndp-neighbours.js';
import { NeighbourTable6 } from '../../src/engine/shared/neighbour-table6.js';
import { RegionLayout, SharedRegion } from '../../src/engine/shared/region.js';

/** The shared table uvsd keeps IPv6 neighbours in, over memory of this test's own. */
const table6 = (): NeighbourTable6 =>
  new NeighbourTable6(SharedRegion.anonymous(new RegionLayout(NeighbourTable6.parts())));

const IP = 14;
const ICMP = 54;
const OUR_MAC = parseMac('02:00:00:00:00:fe');
const RS_MAC = parseMac('02:00:00:00:00:11');
const RS = parseIpv6('2001:db8:20::11');
const VIP = parseIpv6('2001:db8:10::100');

const addr = (
  text: string,
  prefixLen: number,
  more: Partial<Ipv6IfAddress> = {},
): Ipv6IfAddress => {
  const a = parseIpv6(text);
  return {
    ifIndex: 7,
    ifName: 'eth2',
    addr: a,
    prefixLen,
    linkLocal: a[0] === 0xfe && (a[1]! & 0xc0) === 0x80,
    tentative: false,
    ...more,
  };
};

function setup() {
  const sent: { ifIndex: number; frame: Buffer }[] = [];
  let now = 1_000_000;
  const ifaces = ndpInterfaces(new Map([[7, { mac: OUR_MAC }]]), [
    addr('fe80::fe', 64),
    addr('2001:db8:20::fe', 64),
    addr('2001:db8:30::fe', 64, { tentative: true }),
  ]);
  const ndp = new NdpNeighbours(
    (ifIndex, buf, off, len) => {
      sent.push({ ifIndex, frame: Buffer.from(buf.subarray(off, off + len)) });
      return true;
    },
    ifaces,
    table6(),
    () => now,
  );
  return { ndp, sent, advance: (ms: number) => (now += ms) };
}

/** The real server's advertisement of itself (solicited, override), to `dst`. */
function advert(mac = RS_MAC, flags = NaFlag.Solicited | NaFlag.Override, target = RS): Buffer {
  const b = Buffer.alloc(NDP_FRAME_LEN);
  buildNeighborAdvert(b, mac, target, 0, parseIpv6('2001:db8:20::fe'), 0, OUR_MAC, flags);
  return b;
}

test('resolution: a multicast solicitation from our address on the prefix, at most one a second', () => {
  const { ndp, sent, advance } = setup();
  ndp.request(RS, 0, 7);
  ndp.request(RS, 0, 7);
  assert.equal(sent.length, 1);
  const f = sent[0]!.frame;
  assert.equal(formatMac(f, Eth.Dst), '33:33:ff:00:00:11');
  assert.equal(formatIpv6(f, IP + Ipv6.Src), '2001:db8:20::fe');
  assert.equal(formatIpv6(f, IP + Ipv6.Dst), 'ff02::1:ff00:11');
  assert.equal(ndpValidate(f, IP, ICMP, f.length), Icmp6Type.NeighborSolicit);
  advance(1000);
  ndp.request(RS, 0, 7);
  assert.equal(sent.length, 2);
});

test('the source of a solicitation: on-prefix, else link-local; never a tentative address', () => {
  const iface = {
    ifIndex: 7,
    mac: OUR_MAC,
    addrs6: [
      addr('2001:db8:30::fe', 64, { tentative: true }),
      addr('fe80::fe', 64),
      addr('2001:db8:20::fe', 64),
    ],
  };
  assert.equal(formatIpv6(sourceFor(iface, RS, 0)!), '2001:db8:20::fe');
  assert.equal(formatIpv6(sourceFor(iface, parseIpv6('2001:db8:30::1'), 0)!), 'fe80::fe');
  assert.equal(sourceFor({ ...iface, addrs6: [] }, RS, 0), undefined);
});

test('an advertisement answers the solicitation: the MAC is learnt, the request forgotten', () => {
  const { ndp, sent, advance } = setup();
  assert.equal(ndp.lookup(RS, 0), undefined);
  ndp.request(RS, 0, 7);
  assert.equal(ndp.handle(advert(), 0, NDP_FRAME_LEN, 7), 0);
  assert.equal(formatMac(ndp.lookup(RS, 0)!, 0), '02:00:00:00:00:11');
  advance(5000);
  ndp.refresh(() => true);
  assert.equal(sent.length, 1, 'no new solicitation: the entry is fresh and nothing is pending');
});

test('advertisements that are not taken', () => {
  const { ndp } = setup();
  ndp.handle(advert(), 0, NDP_FRAME_LEN, 7);
  assert.equal(ndp.lookup(RS, 0), undefined, 'nobody asked for it');
  ndp.request(RS, 0, 7);
  const bad = advert();
  bad[ICMP + 2] = bad[ICMP + 2]! ^ 0xff;
  ndp.handle(bad, 0, NDP_FRAME_LEN, 7);
  assert.equal(ndp.lookup(RS, 0), undefined, 'a bad checksum');
  const forwarded = advert();
  forwarded[IP + Ipv6.HopLimit] = 254;
  ndp.handle(forwarded, 0, NDP_FRAME_LEN, 7);
  assert.equal(ndp.lookup(RS, 0), undefined, 'hop limit below 255');
});

test('without the override flag, a different MAC does not replace a known one', () => {
  const { ndp } = setup();
  ndp.request(RS, 0, 7);
  ndp.handle(advert(), 0, NDP_FRAME_LEN, 7);
  const other = parseMac('02:00:00:00:00:99');
  ndp.handle(advert(other, NaFlag.Solicited), 0, NDP_FRAME_LEN, 7);
  assert.equal(formatMac(ndp.lookup(RS, 0)!, 0), '02:00:00:00:00:11');
  ndp.handle(advert(other, NaFlag.Override), 0, NDP_FRAME_LEN, 7);
  assert.equal(formatMac(ndp.lookup(RS, 0)!, 0), '02:00:00:00:00:99', 'an unsolicited override');
});

test('a solicitation from an address we resolve teaches its MAC', () => {
  const { ndp } = setup();
  ndp.request(RS, 0, 7);
  const ns = Buffer.alloc(NDP_FRAME_LEN);
  buildNeighborSolicit(ns, RS_MAC, RS, 0, parseIpv6('2001:db8:20::fe'), 0);
  assert.equal(ndp.handle(ns, 0, NDP_FRAME_LEN, 7), 0, 'not a VIP of ours: no answer');
  assert.equal(formatMac(ndp.lookup(RS, 0)!, 0), '02:00:00:00:00:11');
});

test('a solicitation for a VIP uvsd holds becomes its advertisement, in place', () => {
  const { ndp } = setup();
  ndp.answerFor([VIP]);
  // A received frame sits at an offset in its buffer (packet/frame-layout.ts).
  const at = FIRST_FRAME_OFFSET;
  const rx = Buffer.alloc(at + 128);
  buildNeighborSolicit(
    rx,
    parseMac('02:00:00:00:00:01'),
    parseIpv6('fe80::1'),
    0,
    VIP,
    0,
    undefined,
    at,
  );
  const len = ndp.handle(rx, at, NDP_FRAME_LEN, 7);
  assert.equal(len, NDP_FRAME_LEN);
  const ns = rx.subarray(at);
  assert.equal(ndpValidate(ns, IP, ICMP, len), Icmp6Type.NeighborAdvert);
  assert.equal(naFlags(ns, ICMP), NaFlag.Solicited | NaFlag.Override);
  assert.equal(formatIpv6(ns, IP + Ipv6.Src), '2001:db8:10::100');
  assert.equal(formatIpv6(ns, IP + Ipv6.Dst), 'fe80::1');
  assert.equal(formatMac(ns, Eth.Dst), '02:00:00:00:00:01');
  assert.equal(formatMac(ns, Eth.Src), '02:00:00:00:00:fe');
  const other = Buffer.alloc(128);
  buildNeighborSolicit(other, RS_MAC, RS, 0, parseIpv6('2001:db8:10::101'), 0);
  assert.equal(ndp.handle(other, 0, NDP_FRAME_LEN, 7), 0, 'another address');
  const elsewhere = Buffer.alloc(128);
  buildNeighborSolicit(elsewhere, RS_MAC, RS, 0, VIP, 0);
  assert.equal(ndp.handle(elsewhere, 0, NDP_FRAME_LEN, 9), 0, 'an interface we do not know');
});

test('refresh probes an old entry in use by unicast, and forgets it after 3 silent probes', () => {
  const { ndp, sent, advance } = setup();
  ndp.request(RS, 0, 7);
  ndp.handle(advert(), 0, NDP_FRAME_LEN, 7);
  advance(30_001);
  ndp.refresh(() => true);
  assert.equal(sent.length, 2);
  const probe = sent[1]!.frame;
  assert.equal(formatMac(probe, Eth.Dst), '02:00:00:00:00:11');
  assert.equal(formatIpv6(probe, IP + Ipv6.Dst), '2001:db8:20::11');
  assert.equal(formatIpv6(probe, ICMP + Ndp.Target), '2001:db8:20::11');
  ndp.refresh(() => true);
  ndp.refresh(() => true);
  assert.ok(ndp.lookup(RS, 0), 'kept while probes are unanswered');
  ndp.refresh(() => true);
  assert.equal(ndp.lookup(RS, 0), undefined);
  assert.equal(sent.length, 4);
});

test('an answered probe keeps the entry; an entry out of use is forgotten without a probe', () => {
  const { ndp, sent, advance } = setup();
  ndp.request(RS, 0, 7);
  ndp.handle(advert(), 0, NDP_FRAME_LEN, 7);
  advance(30_001);
  ndp.refresh(() => true);
  ndp.handle(advert(), 0, NDP_FRAME_LEN, 7);
  advance(20_000);
  ndp.refresh(() => true);
  assert.ok(ndp.lookup(RS, 0));
  advance(10_001);
  ndp.refresh(() => false);
  assert.equal(ndp.lookup(RS, 0), undefined);
  assert.equal(sent.length, 2, 'one resolution, one probe');
});

test('addresses whose keys collide are told apart', () => {
  const { ndp } = setup();
  const twin = parseIpv6('2001:db9:20::11'); // differs from RS only in the first word
  ndp.request(RS, 0, 7);
  ndp.request(twin, 0, 7);
  ndp.handle(advert(RS_MAC, NaFlag.Solicited | NaFlag.Override, RS), 0, NDP_FRAME_LEN, 7);
  ndp.handle(
    advert(parseMac('02:00:00:00:00:22'), NaFlag.Solicited | NaFlag.Override, twin),
    0,
    NDP_FRAME_LEN,
    7,
  );
  assert.equal(formatMac(ndp.lookup(RS, 0)!, 0), '02:00:00:00:00:11');
  assert.equal(formatMac(ndp.lookup(twin, 0)!, 0), '02:00:00:00:00:22');
});

test('announce sends an unsolicited advertisement of the VIP to all nodes', () => {
  const { ndp, sent } = setup();
  ndp.announce(VIP, 7);
  const f = sent[0]!.frame;
  assert.equal(sent[0]!.ifIndex, 7);
  assert.equal(ndpValidate(f, IP, ICMP, f.length), Icmp6Type.NeighborAdvert);
  assert.equal(formatIpv6(f, IP + Ipv6.Dst), 'ff02::1');
  assert.equal(naFlags(f, ICMP), NaFlag.Override);
  ndp.announce(VIP, 9);
  assert.equal(sent.length, 1, 'no frame on an unknown interface');
});

test('IPv6 addresses of interfaces from ip -j addr show', () => {
  const list = parseIpv6AddrJson(
    JSON.stringify([
      {
        ifindex: 2,
        ifname: 'eth0',
        addr_info: [
          { family: 'inet', local: '192.168.10.1', prefixlen: 24 },
          { family: 'inet6', local: '2001:db8:10::1', prefixlen: 64, scope: 'global' },
          { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link', tentative: true },
        ],
      },
      { ifindex: 1, ifname: 'lo' },
    ]),
  );
  assert.deepEqual(
    list.map((a) => [
      a.ifIndex,
      a.ifName,
      formatIpv6(a.addr),
      a.prefixLen,
      a.linkLocal,
      a.tentative,
    ]),
    [
      [2, 'eth0', '2001:db8:10::1', 64, false, false],
      [2, 'eth0', 'fe80::1', 64, true, true],
    ],
  );
});
