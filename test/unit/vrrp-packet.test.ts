// VRRP adverts byte for byte: golden frames captured from keepalived 2.2.7 (version 2 with
// PASS authentication, version 3), decoded and re-encoded identically; the checksum (version
// 3 over the IPv4 pseudo-header); malformed packets reported, never thrown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpv4, parseMac } from '../../src/packet/addr.js';
import {
  buildAdvertFrame,
  isVrrpFrame,
  multicastMac,
  virtualRouterMac,
  vrrpFrameFacts,
} from '../../src/vrrp/vrrp-frame.js';
import {
  decodeAdvert,
  encodeAdvert,
  passwordBytes,
  VRRP_GROUP,
  VrrpAuthType,
  type VrrpAdvert,
} from '../../src/vrrp/vrrp-packet.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// keepalived -P on d0 (10.9.0.1, MAC d6:09:61:d6:c0:a7): vrid 51, priority 254, advert_int 1,
// VIPs 10.9.0.100 and 10.9.0.101; captured with tcpdump, dissected by tshark as valid VRRP.
const GOLDEN: { name: string; frame: Buffer; advert: VrrpAdvert }[] = [
  {
    name: 'version 2, auth PASS "secret"',
    frame: hex(`01005e000012 d60961d6c0a7 0800
      45c0 002c 0001 0000 ff70 d084 0a090001 e0000012
      2133 fe02 0101 8ea1 0a090064 0a090065 7365637265740000`),
    advert: {
      version: 2,
      vrid: 51,
      priority: 254,
      intervalCs: 100,
      addrs: [parseIpv4('10.9.0.100'), parseIpv4('10.9.0.101')],
      authType: VrrpAuthType.Pass,
      authData: passwordBytes('secret'),
    },
  },
  {
    name: 'version 3',
    frame: hex(`01005e000012 d60961d6c0a7 0800
      45c0 0024 0001 0000 ff70 d08c 0a090001 e0000012
      3133 fe02 0064 d0ed 0a090064 0a090065`),
    advert: {
      version: 3,
      vrid: 51,
      priority: 254,
      intervalCs: 100,
      addrs: [parseIpv4('10.9.0.100'), parseIpv4('10.9.0.101')],
      authType: VrrpAuthType.None,
    },
  },
];

const SRC = parseIpv4('10.9.0.1');
const SRC_MAC = parseMac('d6:09:61:d6:c0:a7');

for (const g of GOLDEN) {
  test(`keepalived's ${g.name} advert decodes field by field`, () => {
    const facts = vrrpFrameFacts(g.frame, g.frame.length);
    assert.ok(facts);
    assert.deepEqual([facts.src, facts.dst, facts.ttl], [SRC, VRRP_GROUP, 255]);
    assert.ok(isVrrpFrame(g.frame, g.frame.length));
    assert.deepEqual(
      decodeAdvert(g.frame, facts.off, facts.len, Number(facts.src), Number(facts.dst)),
      g.advert,
    );
  });

  test(`the ${g.name} advert encodes to keepalived's bytes`, () => {
    const buf = Buffer.alloc(128, 0xee);
    const len = buildAdvertFrame(
      buf,
      { srcMac: SRC_MAC, dstMac: multicastMac(VRRP_GROUP), srcIp: SRC, dstIp: VRRP_GROUP, ipId: 1 },
      g.advert,
    );
    assert.equal(buf.subarray(0, len).toString('hex'), g.frame.toString('hex'));
  });
}

test('the version 3 checksum covers the pseudo-header: another destination fails it', () => {
  const g = GOLDEN[1]!;
  const facts = vrrpFrameFacts(g.frame, g.frame.length)!;
  assert.equal(
    decodeAdvert(g.frame, facts.off, facts.len, Number(facts.src), parseIpv4('10.9.0.2')),
    'checksum',
  );
  // Version 2's does not: the same bytes to another address still verify.
  const v2 = GOLDEN[0]!;
  const f2 = vrrpFrameFacts(v2.frame, v2.frame.length)!;
  assert.notEqual(
    typeof decodeAdvert(v2.frame, f2.off, f2.len, Number(f2.src), parseIpv4('10.9.0.2')),
    'string',
  );
});

test('a unicast version 3 advert round-trips through encode and decode', () => {
  const a: VrrpAdvert = {
    version: 3,
    vrid: 7,
    priority: 100,
    intervalCs: 25,
    addrs: [parseIpv4('192.168.10.23')],
    authType: VrrpAuthType.None,
  };
  const buf = Buffer.alloc(64);
  const src = parseIpv4('192.168.10.253');
  const dst = parseIpv4('192.168.10.252');
  const len = encodeAdvert(buf, 4, a, src, dst);
  assert.deepEqual(decodeAdvert(buf, 4, len, src, dst), a);
});

test('malformed VRRP packets are reported by reason', () => {
  const base = GOLDEN[0]!.frame;
  const facts = vrrpFrameFacts(base, base.length)!;
  const rows: { name: string; edit: (b: Buffer) => void; len?: number; expect: string }[] = [
    { name: 'shorter than the header', edit: () => {}, len: 7, expect: 'truncated' },
    { name: 'version 4', edit: (b) => (b[facts.off] = 0x41), expect: 'version' },
    { name: 'type 2', edit: (b) => (b[facts.off] = 0x22), expect: 'type' },
    { name: 'more addresses than bytes', edit: (b) => (b[facts.off + 3] = 9), expect: 'length' },
    { name: 'a flipped bit', edit: (b) => (b[facts.off + 9]! ^= 1), expect: 'checksum' },
  ];
  for (const r of rows) {
    const b = Buffer.from(base);
    r.edit(b);
    assert.equal(
      decodeAdvert(b, facts.off, r.len ?? facts.len, Number(facts.src), Number(facts.dst)),
      r.expect,
      r.name,
    );
  }
});

test('frames that are not VRRP over IPv4 are not taken for adverts', () => {
  const g = GOLDEN[0]!.frame;
  const rows: [string, (b: Buffer) => void][] = [
    ['ARP', (b) => b.writeUInt16BE(0x0806, 12)],
    ['UDP', (b) => (b[23] = 17)],
    ['a fragment', (b) => b.writeUInt16BE(0x2000, 20)],
    ['total length past the frame', (b) => b.writeUInt16BE(200, 16)],
  ];
  for (const [name, edit] of rows) {
    const b = Buffer.from(g);
    edit(b);
    assert.equal(vrrpFrameFacts(b, b.length), undefined, name);
  }
  assert.equal(vrrpFrameFacts(g, 20), undefined, 'truncated frame');
});

test('virtual router and multicast MACs', () => {
  assert.equal(virtualRouterMac(51).toString('hex'), '00005e000133');
  assert.equal(multicastMac(VRRP_GROUP).toString('hex'), '01005e000012');
});
