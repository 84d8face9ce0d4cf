// VRRP version 3 over IPv6 (RFC 5798): an advert built by hand byte by byte (its checksum over
// the IPv6 pseudo-header computed on paper and confirmed by tshark: "Checksum: 0x3fe9 [correct]"),
// decoded field by field and encoded back to the same bytes; the receiver's refusals (checksum,
// another destination under the pseudo-header, version 2, truncation); the state machine's hop
// limit check on IPv6 adverts and the tie between equal priorities broken by the higher IPv6
// address.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatVrrpAddr, isLinkLocal6, parseIpv6Big } from '../../src/vrrp/vrrp-addr.js';
import {
  buildAdvertFrame6,
  multicastMac6,
  virtualRouterMac6,
  VRRP_GROUP6,
  vrrpFrameFacts6,
} from '../../src/vrrp/vrrp-frame6.js';
import { vrrpFrameFacts } from '../../src/vrrp/vrrp-frame.js';
import { VrrpMachine, type VrrpEvent } from '../../src/vrrp/vrrp-machine.js';
import { readAdvert, VrrpAuthType, type VrrpAdvert } from '../../src/vrrp/vrrp-packet.js';
import type { VrrpInstanceSpec } from '../../src/vrrp/vrrp-spec.js';

const SRC = parseIpv6Big('fe80::1');
const LL_VIP = parseIpv6Big('fe80::a');
const VIP = parseIpv6Big('2001:db8:10::23');

/** VRID 10, priority 100, advert_int 1 s, VIPs fe80::a and 2001:db8:10::23, from fe80::1. */
const GOLDEN = Buffer.from(
  [
    '333300000012', // to ff02::12's MAC
    '00005e00020a', // from the IPv6 virtual router MAC of VRID 10
    '86dd',
    '6c000000', // version 6, traffic class 0xc0, flow 0
    '0028', // payload: 8 + 2 × 16
    '70', // next header 112
    'ff', // hop limit 255
    'fe800000000000000000000000000001',
    'ff020000000000000000000000000012',
    '31', // version 3, advertisement
    '0a', // VRID 10
    '64', // priority 100
    '02', // two addresses
    '0064', // reserved 0, max adver int 100 cs
    '3fe9', // checksum over the pseudo-header and the message
    'fe80000000000000000000000000000a',
    '20010db8001000000000000000000023',
  ].join(''),
  'hex',
);

const ADVERT: VrrpAdvert = {
  version: 3,
  vrid: 10,
  priority: 100,
  intervalCs: 100,
  addrs: [LL_VIP, VIP],
  authType: VrrpAuthType.None,
};

test('an IPv6 advert built by hand decodes field by field', () => {
  assert.equal(vrrpFrameFacts(GOLDEN, GOLDEN.length), undefined, 'not an IPv4 frame');
  const facts = vrrpFrameFacts6(GOLDEN, GOLDEN.length);
  assert.ok(facts);
  assert.deepEqual(
    [facts.family, facts.src, facts.dst, facts.ttl, facts.off, facts.len],
    [6, SRC, VRRP_GROUP6, 255, 54, 40],
  );
  assert.deepEqual(readAdvert(GOLDEN, facts.off, facts.len, 6, facts.pseudo), ADVERT);
  assert.deepEqual(ADVERT.addrs.map(formatVrrpAddr), ['fe80::a', '2001:db8:10::23']);
  assert.ok(isLinkLocal6(LL_VIP) && !isLinkLocal6(VIP) && !isLinkLocal6(0x0a000001));
});

test('the IPv6 advert encodes to the hand-built bytes, checksum included', () => {
  const buf = Buffer.alloc(160, 0xee);
  const len = buildAdvertFrame6(
    buf,
    {
      srcMac: virtualRouterMac6(10),
      dstMac: multicastMac6(VRRP_GROUP6),
      src: SRC,
      dst: VRRP_GROUP6,
    },
    ADVERT,
  );
  assert.equal(buf.subarray(0, len).toString('hex'), GOLDEN.toString('hex'));
  assert.equal(multicastMac6(VRRP_GROUP6).toString('hex'), '333300000012');
});

test('a unicast IPv6 advert round-trips, 255 addresses included', () => {
  const peer = parseIpv6Big('2001:db8:10::2');
  const me = parseIpv6Big('2001:db8:10::1');
  const addrs = Array.from({ length: 255 }, (_, k) => VIP + BigInt(k));
  const a: VrrpAdvert = { ...ADVERT, priority: 150, intervalCs: 25, addrs };
  const buf = Buffer.alloc(14 + 40 + 8 + 16 * 255);
  const len = buildAdvertFrame6(
    buf,
    { srcMac: virtualRouterMac6(10), dstMac: Buffer.alloc(6), src: me, dst: peer },
    a,
  );
  assert.equal(len, buf.length);
  const facts = vrrpFrameFacts6(buf, len)!;
  assert.deepEqual([facts.src, facts.dst], [me, peer]);
  assert.deepEqual(readAdvert(buf, facts.off, facts.len, 6, facts.pseudo), a);
});

test('IPv6 adverts failing the checks are refused by reason', () => {
  const facts = vrrpFrameFacts6(GOLDEN, GOLDEN.length)!;
  const rows: { name: string; edit: (b: Buffer) => void; expect: string }[] = [
    {
      name: 'a flipped bit in an address',
      edit: (b) => (b[facts.off + 20]! ^= 1),
      expect: 'checksum',
    },
    {
      name: 'a wrong checksum',
      edit: (b) => b.writeUInt16BE(0x3fea, facts.off + 6),
      expect: 'checksum',
    },
    { name: 'version 2 over IPv6', edit: (b) => (b[facts.off] = 0x21), expect: 'version' },
    { name: 'more addresses than bytes', edit: (b) => (b[facts.off + 3] = 3), expect: 'length' },
  ];
  for (const r of rows) {
    const b = Buffer.from(GOLDEN);
    r.edit(b);
    const f = vrrpFrameFacts6(b, b.length)!;
    assert.equal(readAdvert(b, f.off, f.len, 6, f.pseudo), r.expect, r.name);
  }
  // The checksum covers the IPv6 pseudo-header: the same message to another address fails it.
  const other = Buffer.from(GOLDEN);
  other[14 + 24 + 15] = 0x13; // to ff02::13
  const f = vrrpFrameFacts6(other, other.length)!;
  assert.equal(readAdvert(other, f.off, f.len, 6, f.pseudo), 'checksum');
  // A frame cut short of its payload length, or of another next header, is no VRRP frame.
  assert.equal(vrrpFrameFacts6(GOLDEN, GOLDEN.length - 1), undefined);
  const udp = Buffer.from(GOLDEN);
  udp[14 + 6] = 17;
  assert.equal(vrrpFrameFacts6(udp, udp.length), undefined);
});

function spec6(over: Partial<VrrpInstanceSpec> = {}): VrrpInstanceSpec {
  return {
    name: 'VI_6',
    interface: 'eth1',
    vrid: 10,
    priority: 100,
    advertIntMs: 1000,
    version: 3,
    family: 6,
    preempt: true,
    preemptDelayMs: 0,
    vips: [
      { addr: LL_VIP, prefixLen: 64, text: 'fe80::a/64' },
      { addr: VIP, prefixLen: 64, text: '2001:db8:10::23/64' },
    ],
    unicastPeers: [],
    trackInterfaces: [],
    trackScripts: [],
    garpMasterDelayMs: 0,
    garpMasterRepeat: 1,
    garpMasterRefreshMs: 0,
    ...over,
  };
}

const advertFrom = (from: bigint, priority: number, ttl = 255): VrrpEvent => ({
  kind: 'advert',
  from,
  ttl,
  advert: { ...ADVERT, priority },
});

test('an IPv6 advert with hop limit 254 is dropped; unicast ones are not checked (keepalived)', () => {
  const m = new VrrpMachine(spec6(), parseIpv6Big('fe80::2'));
  m.step({ kind: 'startup' }, 0);
  assert.deepEqual(m.step(advertFrom(SRC, 150, 254), 10), [{ do: 'drop', reason: 'ttl' }]);
  assert.equal(m.stats.dropped.ttl, 1);
  assert.equal(m.step(advertFrom(SRC, 150, 255), 20)[0]?.do, 'arm');
  const peer = parseIpv6Big('2001:db8:10::2');
  const u = new VrrpMachine(spec6({ unicastPeers: [peer] }), parseIpv6Big('2001:db8:10::1'));
  u.step({ kind: 'startup' }, 0);
  assert.equal(u.step(advertFrom(peer, 150, 64), 10)[0]?.do, 'arm');
});

test('two IPv6 masters of equal priority: the higher link-local address stays master', () => {
  const low = parseIpv6Big('fe80::1');
  const high = parseIpv6Big('fe80::1:0:0:1');
  const m = new VrrpMachine(spec6({ priority: 255 }), low);
  m.step({ kind: 'startup' }, 0);
  assert.equal(m.state, 'MASTER');
  const actions = m.step(advertFrom(high, 255), 10);
  assert.equal(m.state, 'BACKUP');
  assert.ok(
    actions.some(
      (a) => a.do === 'state' && a.reason === 'higher priority advert (255) from fe80::1:0:0:1',
    ),
  );
  const h = new VrrpMachine(spec6({ priority: 255 }), high);
  h.step({ kind: 'startup' }, 0);
  h.step(advertFrom(low, 255), 10);
  assert.equal(h.state, 'MASTER');
});
