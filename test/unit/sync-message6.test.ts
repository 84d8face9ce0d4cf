// IPv6 entries of IPVS sync messages (version 1) against byte layouts written from ip_vs_sync.c's
// struct ip_vs_sync_v6: type with STYPE_F_INET6 (bit 0), the same 24 bytes as struct
// ip_vs_sync_v4 up to the timeout, then three 16-byte addresses (72 bytes) and the same options
// after them. Both ways, IPv4 and IPv6 entries mixed in one message, maxlen splitting, and the
// malformed IPv6 entries reported by reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpv4, parseIpv6 } from '../../src/packet/addr.js';
import {
  IpvsConnFlag,
  type SyncConn,
  type SyncConn4,
  type SyncConn6,
} from '../../src/sync/sync-conn.js';
import { decodeMessage, encodeMessages, entryLength } from '../../src/sync/sync-message.js';

import {
  hex,
  received,
  splitAndBack,
  testKernelBytes,
  type SyncBytesCase,
} from './fixtures/sync-bytes.js';

/** An established NAT connection: [2001:db8:10::1]:40000 → [2001:db8:10::23]:80 → S1 :8080. */
const ESTABLISHED6: SyncConn6 = {
  family: 6,
  protocol: 6,
  flags: IpvsConnFlag.Masq,
  state: 1,
  caddr: parseIpv6('2001:db8:10::1'),
  cport: 40000,
  vaddr: parseIpv6('2001:db8:10::23'),
  vport: 80,
  daddr: parseIpv6('2001:db8:20::1'),
  dport: 8080,
  fwmark: 0,
  timeout: 900,
};
// type 1 (STYPE_F_INET6) │ TCP │ version 0, size 72 │ flags │ state │ ports │ fwmark │ timeout
const ESTABLISHED6_BYTES = `
  01 06 0048 | 00000000 | 0001 9c40 | 0050 1f90 | 00000000 | 00000384
  20010db8 00100000 00000000 00000001
  20010db8 00100000 00000000 00000023
  20010db8 00200000 00000000 00000001`;

/** A DR connection with sequence adjustments, SYN_RECV, inactive: 72 + 2 + 24 = 98 bytes. */
const WITH_SEQ6: SyncConn6 = {
  family: 6,
  protocol: 6,
  flags: IpvsConnFlag.DRoute | IpvsConnFlag.Inactive | IpvsConnFlag.SeqMask,
  state: 3,
  caddr: parseIpv6('2001:db8:99::7'),
  cport: 1025,
  vaddr: parseIpv6('2001:db8:20::23'),
  vport: 21,
  daddr: parseIpv6('2001:db8:20::2'),
  dport: 21,
  fwmark: 0,
  timeout: 60,
  seq: {
    in: { initSeq: 0x11223344, delta: 5, previousDelta: 0xfffffffe },
    out: { initSeq: 0xa0b0c0d0, delta: 0, previousDelta: 1 },
  },
};
const WITH_SEQ6_BYTES = `
  01 06 0062 | 00000703 | 0003 0401 | 0015 0015 | 00000000 | 0000003c
  20010db8 00990000 00000000 00000007
  20010db8 00200000 00000000 00000023
  20010db8 00200000 00000000 00000002
  01 18 | 11223344 00000005 fffffffe | a0b0c0d0 00000000 00000001`;

/**
 * A persistence template of an IPv6 firewall-mark service (TUN, -M 64): the client's prefix, no
 * port, and the mark in the first four bytes of vaddr, as ip_vs_sched_persist fills it.
 */
const TEMPLATE6: SyncConn6 = {
  family: 6,
  protocol: 0,
  flags: IpvsConnFlag.Template | IpvsConnFlag.Tunnel,
  state: 0,
  caddr: parseIpv6('2001:db8:10::'),
  cport: 0,
  vaddr: hex('00000007 00000000 00000000 00000000'),
  vport: 0,
  daddr: parseIpv6('2001:db8:30::9'),
  dport: 0,
  fwmark: 7,
  timeout: 360,
};
const TEMPLATE6_BYTES = `
  01 00 0048 | 00001002 | 0000 0000 | 0000 0000 | 00000007 | 00000168
  20010db8 00100000 00000000 00000000
  00000007 00000000 00000000 00000000
  20010db8 00300000 00000000 00000009`;

/** An IPv4 entry (struct ip_vs_sync_v4, type 0) to mix with the IPv6 ones. */
const ESTABLISHED4: SyncConn4 = {
  protocol: 6,
  flags: IpvsConnFlag.Masq,
  state: 1,
  caddr: parseIpv4('192.168.10.1'),
  cport: 40000,
  vaddr: parseIpv4('192.168.10.23'),
  vport: 80,
  daddr: parseIpv4('192.168.20.1'),
  dport: 8080,
  fwmark: 0,
  timeout: 900,
};
const ESTABLISHED4_BYTES = `
  00 06 0024 | 00000000 | 0001 9c40 | 0050 1f90 | 00000000 | 00000384 | c0a80a01 c0a80a17 c0a81401`;

const cases: SyncBytesCase[] = [
  {
    name: 'one IPv6 NAT connection (72 bytes)',
    conns: [ESTABLISHED6],
    // reserved 0, syncid 5, size 8 + 72 = 80, 1 conn, version 1, spare 0
    bytes: `00 05 0050 01 01 0000 ${ESTABLISHED6_BYTES}`,
  },
  {
    name: 'IPv4 and IPv6 entries mixed, an IPv6 entry with options padded (98 → 100)',
    conns: [ESTABLISHED4, ESTABLISHED6, WITH_SEQ6, ESTABLISHED4],
    // 8 + 36 + 72 + 98 + 2 (padding) + 36 = 252
    bytes: `00 05 00fc 04 01 0000 ${ESTABLISHED4_BYTES} ${ESTABLISHED6_BYTES}
      ${WITH_SEQ6_BYTES} 0000 ${ESTABLISHED4_BYTES}`,
  },
  {
    name: 'an IPv6 firewall-mark template after an IPv4 entry',
    conns: [ESTABLISHED4, TEMPLATE6],
    bytes: `00 05 0074 02 01 0000 ${ESTABLISHED4_BYTES} ${TEMPLATE6_BYTES}`,
  },
];

testKernelBytes(cases);

test('IPv6 entry lengths: 72, + 26 with sequence data', () => {
  assert.deepEqual([ESTABLISHED6, WITH_SEQ6, TEMPLATE6].map(entryLength), [72, 98, 72]);
  const pe: SyncConn6 = { ...ESTABLISHED6, peData: Buffer.from('call-1'), peName: 'sip' };
  assert.equal(entryLength(pe), 72 + 2 + 6 + 2 + 3);
});

test('IPv6 persistence engine options follow the 16-byte addresses and round-trip', () => {
  const pe: SyncConn6 = {
    ...ESTABLISHED6,
    protocol: 17,
    state: 0,
    peData: Buffer.from('call-1'),
    peName: 'sip',
  };
  const [msg] = encodeMessages([pe], 5, 1472);
  // The options start at 8 (header) + 72: PE_DATA "call-1", PE_NAME "sip".
  assert.equal(
    msg!.subarray(80, 80 + 13).toString('hex'),
    hex('02 06 63616c6c2d31 03 03 736970').toString('hex'),
  );
  assert.deepEqual(decodeMessage(msg!, msg!.length, 5).conns, [received(pe)]);
});

/** IPv4 and IPv6 connections alternating, seeded, some with sequence options. */
function mixedConns(n: number): SyncConn[] {
  let s = 4242;
  const next = (m: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % m;
  };
  return Array.from({ length: n }, (_, k): SyncConn => {
    if (k % 2 === 0)
      return { ...ESTABLISHED4, cport: 1024 + k, caddr: parseIpv4('10.1.0.0') + next(65536) };
    const caddr = parseIpv6('2001:db8:77::');
    caddr.writeUInt32BE(next(0x7fffffff), 12);
    return { ...(next(3) === 0 ? WITH_SEQ6 : ESTABLISHED6), cport: 1024 + k, caddr };
  });
}

test('mixed families split by maxlen: every message fits, aligned, all connections in order', () => {
  const conns = mixedConns(300);
  for (const maxlen of [120, 250, 1472]) splitAndBack(conns, maxlen);
});

test('malformed IPv6 entries are reported by reason, never thrown; the entries before are kept', () => {
  const good = encodeMessages([ESTABLISHED4, ESTABLISHED6], 5, 1472)[0]!;
  const v6At = 8 + 36;
  const rows: { name: string; msg: () => Buffer; error: string; conns: number }[] = [
    {
      name: 'an IPv6 entry whose size (36) is an IPv4 entry’s',
      msg: () => {
        const b = Buffer.from(good);
        b.writeUInt16BE(36, v6At + 2);
        return b;
      },
      error: 'truncated',
      conns: 1,
    },
    {
      name: 'an IPv6 entry cut short by the datagram',
      msg: () => {
        const b = Buffer.from(good.subarray(0, good.length - 16));
        b.writeUInt16BE(b.length, 2);
        return b;
      },
      error: 'truncated',
      conns: 1,
    },
    {
      name: 'type 2 (neither IPv4 nor the IPv6 bit)',
      msg: () => {
        const b = Buffer.from(good);
        b[v6At] = 2;
        return b;
      },
      error: 'entry-type',
      conns: 1,
    },
  ];
  for (const r of rows) {
    const m = r.msg();
    const d = decodeMessage(m, m.length, 5);
    assert.equal(d.error, r.error, r.name);
    assert.equal(d.conns.length, r.conns, r.name);
  }
  // The kernel reads bit 0 alone for IPv6 (s->v6.type & STYPE_F_INET6): type 3 is an IPv6 entry.
  const odd = Buffer.from(good);
  odd[v6At] = 3;
  assert.deepEqual(decodeMessage(odd, odd.length, 5).conns[1], received(ESTABLISHED6));
});

test('an IPv6 address that is not 16 bytes is refused when encoding', () => {
  assert.throws(
    () => encodeMessages([{ ...ESTABLISHED6, daddr: Buffer.alloc(4) }], 5, 1472),
    /IPv6 daddr of 4 bytes/,
  );
});
