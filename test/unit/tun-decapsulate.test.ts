import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AddressError,
  formatIpv4,
  formatIpv6,
  ipv6Equal,
  parseIpv4,
  parseIpv6,
  writeIpv4,
} from '../../src/packet/addr.js';
import { writeU16 } from '../../src/packet/checksum.js';
import { newIpv6Chain } from '../../src/packet/ipv6.js';
import {
  DecapStatus,
  locateInner,
  VipFilter,
  type InnerPacket,
  type LocalAddresses,
} from '../../src/tun/decapsulate.js';
import { buildFrame } from './fixtures/frames.js';
import { buildFrame6 } from './fixtures/frames6.js';

const RS4 = '192.168.30.1';
const RS6 = '2001:db8:30::1';
const local: LocalAddresses = {
  has4: (a) => a === parseIpv4(RS4),
  has6: (buf, off) => ipv6Equal(parseIpv6(RS6), 0, buf, off),
};

const inner4 = (): Buffer =>
  buildFrame({
    src: '192.168.10.1',
    dst: '192.168.20.23',
    proto: 'tcp',
    sport: 40000,
    dport: 80,
    payload: 'GET /',
  }).subarray(14);
const inner6 = (): Buffer =>
  buildFrame6({
    src: '2001:db8:10::1',
    dst: '2001:db8:20::23',
    proto: 'tcp',
    payload: 'GET /',
  }).subarray(14);

/** An Ethernet frame: outer IPv4 (protocol `proto`) from the director to `dst`, then `inner`. */
function inIpv4(inner: Buffer, proto: number, dst = RS4, flags = 0x4000): Buffer {
  const f = Buffer.alloc(14 + 20 + inner.length);
  writeU16(f, 12, 0x0800);
  f[14] = 0x45;
  writeU16(f, 16, 20 + inner.length);
  writeU16(f, 20, flags);
  f[22] = 64;
  f[23] = proto;
  writeIpv4(f, 26, parseIpv4('192.168.20.253'));
  writeIpv4(f, 30, parseIpv4(dst));
  inner.copy(f, 34);
  return f;
}

/** An Ethernet frame: outer IPv6 (next header `nh`, optional extension headers) to `dst`. */
function inIpv6(
  inner: Buffer,
  nh: number,
  dst = RS6,
  ext: Buffer = Buffer.alloc(0),
  firstNh = nh,
): Buffer {
  const f = Buffer.alloc(14 + 40 + ext.length + inner.length);
  writeU16(f, 12, 0x86dd);
  f[14] = 0x60;
  writeU16(f, 18, ext.length + inner.length);
  f[20] = firstNh;
  f[21] = 64;
  parseIpv6('2001:db8:20::fd').copy(f, 22);
  parseIpv6(dst).copy(f, 38);
  ext.copy(f, 54);
  inner.copy(f, 54 + ext.length);
  return f;
}

/** RFC 2473's destination options header with a tunnel encapsulation limit option. */
function encapLimit(next: number): Buffer {
  return Buffer.from([next, 0, 4, 1, 4, 1, 0, 0]);
}

const rows: {
  name: string;
  frame: Buffer;
  status: DecapStatus;
  start?: number;
  etherType?: number;
  dst?: string;
}[] = [
  {
    name: 'IPIP',
    frame: inIpv4(inner4(), 4),
    status: DecapStatus.Inner,
    start: 34,
    etherType: 0x0800,
    dst: '192.168.20.23',
  },
  {
    name: 'IPv6 in IPv6',
    frame: inIpv6(inner6(), 41),
    status: DecapStatus.Inner,
    start: 54,
    etherType: 0x86dd,
    dst: '2001:db8:20::23',
  },
  {
    name: 'IPv4 in IPv6',
    frame: inIpv6(inner4(), 4),
    status: DecapStatus.Inner,
    start: 54,
    etherType: 0x0800,
    dst: '192.168.20.23',
  },
  {
    name: 'IPv6 in IPv4',
    frame: inIpv4(inner6(), 41),
    status: DecapStatus.Inner,
    start: 34,
    etherType: 0x86dd,
    dst: '2001:db8:20::23',
  },
  {
    name: 'IPv6 in IPv6 behind an encapsulation limit option',
    frame: inIpv6(inner6(), 41, RS6, encapLimit(41), 60),
    status: DecapStatus.Inner,
    start: 62,
    etherType: 0x86dd,
    dst: '2001:db8:20::23',
  },
  {
    name: 'IPv6 in IPv6 to another host',
    frame: inIpv6(inner6(), 41, '2001:db8:30::2'),
    status: DecapStatus.NotForUs,
  },
  {
    name: 'IPIP to another host',
    frame: inIpv4(inner4(), 4, '192.168.30.2'),
    status: DecapStatus.NotForUs,
  },
  {
    name: 'plain TCP over IPv6 to us',
    frame: buildFrame6({ src: '2001:db8::1', dst: RS6, proto: 'tcp' }),
    status: DecapStatus.NotForUs,
  },
  { name: 'IPv4 UDP to us', frame: inIpv4(inner4(), 17), status: DecapStatus.NotForUs },
  {
    name: 'an outer IPv4 fragment',
    frame: inIpv4(inner6(), 41, RS4, 0x2000),
    status: DecapStatus.BadInner,
  },
  {
    name: 'an outer IPv6 fragment',
    frame: inIpv6(inner6(), 41, RS6, Buffer.from([41, 0, 0, 1, 0, 0, 0, 7]), 44),
    status: DecapStatus.BadInner,
  },
  {
    name: 'inner IPv6 longer than the outer payload',
    frame: (() => {
      const i = inner6();
      writeU16(i, 4, i.readUInt16BE(4) + 8);
      return inIpv6(i, 41);
    })(),
    status: DecapStatus.BadInner,
  },
  {
    name: 'inner IPv4 announced as IPv6',
    frame: inIpv6(inner4(), 41),
    status: DecapStatus.BadInner,
  },
  {
    name: 'inner IPv6 announced as IPIP',
    frame: inIpv4(inner6(), 4),
    status: DecapStatus.BadInner,
  },
  {
    name: 'an outer header alone',
    frame: inIpv6(Buffer.alloc(0), 41).subarray(0, 54),
    status: DecapStatus.NotForUs,
  },
];

test('tunnel frames: the inner packet of IPIP and IPv6-in-IP under either outer family', () => {
  const chain = newIpv6Chain();
  const out: InnerPacket = { start: 0, end: 0, proto: 0, etherType: 0, dst: 0 };
  for (const r of rows) {
    assert.equal(locateInner(r.frame, r.frame.length, local, chain, out), r.status, r.name);
    if (r.status !== DecapStatus.Inner) continue;
    assert.equal(out.start, r.start, r.name);
    assert.equal(out.end, r.frame.length, r.name);
    assert.equal(out.etherType, r.etherType, r.name);
    const dst =
      r.etherType === 0x0800
        ? formatIpv4(r.frame.readUInt32BE(out.dst))
        : formatIpv6(r.frame, out.dst);
    assert.equal(dst, r.dst, r.name);
  }
});

test('Ethernet padding after a short tunnel packet is not part of the inner packet', () => {
  const f = Buffer.concat([inIpv4(inner4(), 4), Buffer.alloc(20, 0xee)]);
  const out: InnerPacket = { start: 0, end: 0, proto: 0, etherType: 0, dst: 0 };
  assert.equal(locateInner(f, f.length, local, newIpv6Chain(), out), DecapStatus.Inner);
  assert.equal(out.end, f.length - 20);
});

test('--vip accepts IPv4 and IPv6 inner destinations and refuses others', () => {
  const out: InnerPacket = { start: 0, end: 0, proto: 0, etherType: 0, dst: 0 };
  const chain = newIpv6Chain();
  const f6 = inIpv6(inner6(), 41);
  const f4 = inIpv6(inner4(), 4);
  const only6 = VipFilter.parse(['2001:DB8:20::23']);
  locateInner(f6, f6.length, local, chain, out);
  assert.ok(only6.allows(f6, out));
  assert.ok(VipFilter.parse([]).allows(f6, out));
  assert.equal(VipFilter.parse(['2001:db8:20::24']).allows(f6, out), false);
  locateInner(f4, f4.length, local, chain, out);
  assert.equal(only6.allows(f4, out), false);
  assert.ok(VipFilter.parse(['192.168.20.23', '2001:db8:20::23']).allows(f4, out));
  assert.throws(
    () => VipFilter.parse(['192.168.20']),
    (e: unknown) => e instanceof AddressError && e.message === 'invalid IP address "192.168.20"',
  );
});
