// IPVS sync messages (version 1) against byte layouts written from ip_vs_sync.c's structures
// (struct ip_vs_sync_mesg, struct ip_vs_sync_v4, the options), both ways; maxlen splitting;
// malformed, foreign-syncid and short messages reported by reason, never thrown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpv4 } from '../../src/packet/addr.js';
import { IpvsConnFlag, type SyncConn4 } from '../../src/sync/sync-conn.js';
import { decodeMessage, encodeMessages, entryLength } from '../../src/sync/sync-message.js';

import {
  received,
  splitAndBack,
  testKernelBytes,
  type SyncBytesCase,
} from './fixtures/sync-bytes.js';
const ip = parseIpv4;

/** An established NAT connection: client 192.168.10.1:40000 → VIP .10.23:80 → S1 .20.1:80. */
const ESTABLISHED: SyncConn4 = {
  protocol: 6,
  flags: IpvsConnFlag.Masq,
  state: 1,
  caddr: ip('192.168.10.1'),
  cport: 40000,
  vaddr: ip('192.168.10.23'),
  vport: 80,
  daddr: ip('192.168.20.1'),
  dport: 8080,
  fwmark: 0,
  timeout: 900,
};
const ESTABLISHED_BYTES = `
  00 06 0024 | 00000000 | 0001 9c40 | 0050 1f90 | 00000000 | 00000384 | c0a80a01 c0a80a17 c0a81401`;

/** A DR connection with sequence adjustments (IN_SEQ|OUT_SEQ), SYN_RECV, not yet active. */
const WITH_SEQ: SyncConn4 = {
  protocol: 6,
  flags: IpvsConnFlag.DRoute | IpvsConnFlag.Inactive | IpvsConnFlag.SeqMask,
  state: 3,
  caddr: ip('10.0.0.7'),
  cport: 1025,
  vaddr: ip('10.0.0.100'),
  vport: 21,
  daddr: ip('10.0.1.2'),
  dport: 21,
  fwmark: 0,
  timeout: 60,
  seq: {
    in: { initSeq: 0x11223344, delta: 5, previousDelta: 0xfffffffe },
    out: { initSeq: 0xa0b0c0d0, delta: 0, previousDelta: 1 },
  },
};
const WITH_SEQ_BYTES = `
  00 06 003e | 00000703 | 0003 0401 | 0015 0015 | 00000000 | 0000003c | 0a000007 0a000064 0a000102
  01 18 | 11223344 00000005 fffffffe | a0b0c0d0 00000000 00000001`;

/** A persistence template of a fwmark service (protocol IP, client port 0). */
const TEMPLATE: SyncConn4 = {
  protocol: 0,
  flags: IpvsConnFlag.Template | IpvsConnFlag.Tunnel,
  state: 0,
  caddr: ip('172.16.0.0'),
  cport: 0,
  vaddr: ip('0.0.0.0'),
  vport: 0,
  daddr: ip('10.0.2.9'),
  dport: 0,
  fwmark: 7,
  timeout: 360,
};
const TEMPLATE_BYTES = `
  00 00 0024 | 00001002 | 0000 0000 | 0000 0000 | 00000007 | 00000168 | ac100000 00000000 0a000209`;

/** A UDP connection with persistence engine data and name. */
const WITH_PE: SyncConn4 = {
  protocol: 17,
  flags: IpvsConnFlag.Masq,
  state: 0,
  caddr: ip('192.168.10.9'),
  cport: 5060,
  vaddr: ip('192.168.10.23'),
  vport: 5060,
  daddr: ip('192.168.20.2'),
  dport: 5060,
  fwmark: 0,
  timeout: 300,
  peData: Buffer.from('call-1'),
  peName: 'sip',
};
const WITH_PE_BYTES = `
  00 11 0031 | 00000000 | 0000 13c4 | 13c4 13c4 | 00000000 | 0000012c | c0a80a09 c0a80a17 c0a81402
  02 06 63616c6c2d31 | 03 03 736970`;

const cases: SyncBytesCase[] = [
  {
    name: 'one established NAT connection',
    conns: [ESTABLISHED],
    // reserved 0, syncid 5, size 44, 1 conn, version 1, spare 0
    bytes: `00 05 002c 01 01 0000 ${ESTABLISHED_BYTES}`,
  },
  {
    name: 'sequence options, then an entry padded to 4 bytes (62 → 64)',
    conns: [WITH_SEQ, ESTABLISHED],
    bytes: `00 05 006c 02 01 0000 ${WITH_SEQ_BYTES} 0000 ${ESTABLISHED_BYTES}`,
  },
  {
    name: 'a template and persistence engine data',
    conns: [TEMPLATE, WITH_PE],
    bytes: `00 05 005d 02 01 0000 ${TEMPLATE_BYTES} ${WITH_PE_BYTES}`,
  },
];

testKernelBytes(cases);

test('entry lengths: 36, + 26 with sequence data, + 2 + length for each persistence option', () => {
  assert.deepEqual([ESTABLISHED, WITH_SEQ, TEMPLATE, WITH_PE].map(entryLength), [36, 62, 36, 49]);
});

test('flags a backup does not take (HASHED on the way out, bits outside the backup mask) are cleared', () => {
  const noisy = { ...ESTABLISHED, flags: IpvsConnFlag.Hashed | IpvsConnFlag.OnePacket | 0x10000 };
  const [msg] = encodeMessages([noisy], 1, 1472);
  assert.equal(msg!.readUInt32BE(8 + 4), IpvsConnFlag.OnePacket | 0x10000, 'HASHED not sent');
  const d = decodeMessage(msg!, msg!.length, 1);
  assert.equal(d.conns[0]!.flags, IpvsConnFlag.Sync, 'ONE_PACKET and NFCT are not kept');
});

/** A seeded list of connections, some with options. */
function manyConns(n: number): SyncConn4[] {
  let s = 12345;
  const next = (m: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % m;
  };
  return Array.from({ length: n }, (_, k) => ({
    ...(next(4) === 0 ? WITH_SEQ : ESTABLISHED),
    cport: 1024 + k,
    caddr: ip('10.1.0.0') + next(65536),
    state: 1 + next(8),
  }));
}

test('maxlen splitting: every message fits, 4-byte aligned entries, all connections in order', () => {
  const conns = manyConns(500);
  for (const maxlen of [120, 200, 1472, 9000]) {
    const msgs = splitAndBack(conns, maxlen);
    if (maxlen === 1472) {
      // (1472 − 8) / 36 = 40 plain entries at most; the first message is full enough.
      assert.ok(msgs[0]!.length > 1472 - 64);
    }
  }
  // nr_conns is one byte: never more than 255 entries, whatever maxlen allows.
  const big = encodeMessages(
    manyConns(600).map((c) => ({ ...c, flags: 0 })),
    9,
    65000,
  );
  assert.deepEqual(
    big.map((m) => m[4]),
    [255, 255, 90],
  );
});

test('malformed, foreign and short messages are reported by reason, never thrown', () => {
  const good = encodeMessages([ESTABLISHED, WITH_SEQ], 5, 1472)[0]!;
  const rows: {
    name: string;
    msg: () => Buffer;
    len?: number;
    syncId?: number;
    error: string;
    conns: number;
  }[] = [
    { name: 'three bytes', msg: () => good.subarray(0, 3), error: 'short', conns: 0 },
    {
      name: 'size field ≠ datagram',
      msg: () => good.subarray(0, good.length - 4),
      error: 'size',
      conns: 0,
    },
    { name: 'another syncid', msg: () => good, syncId: 6, error: 'syncid', conns: 0 },
    {
      name: 'version 0 (first byte is a count)',
      msg: () => Buffer.concat([Buffer.from([1, 5, 0, 4])]),
      error: 'version0',
      conns: 0,
    },
    {
      name: 'more entries announced than present',
      msg: () => {
        const b = Buffer.from(good);
        b[4] = 3;
        return b;
      },
      error: 'truncated',
      conns: 2,
    },
    {
      name: 'entry size past the end',
      msg: () => {
        const b = Buffer.from(good);
        b.writeUInt16BE(0x0100, 8 + 2);
        return b;
      },
      error: 'truncated',
      conns: 0,
    },
    {
      name: 'entry version 1',
      msg: () => {
        const b = Buffer.from(good);
        b.writeUInt16BE(0x1024, 8 + 2);
        return b;
      },
      error: 'entry-version',
      conns: 0,
    },
    {
      name: 'an option of length 0',
      msg: () => {
        const b = Buffer.from(good);
        b[8 + 36 + 36 + 1] = 0;
        return b;
      },
      error: 'options',
      conns: 1,
    },
  ];
  for (const r of rows) {
    const m = r.msg();
    const d = decodeMessage(m, r.len ?? m.length, r.syncId ?? 5);
    assert.equal(d.error, r.error, r.name);
    assert.equal(d.conns.length, r.conns, r.name);
  }
  // syncid 0 on the backup accepts any sender's syncid (ip_vs_process_message).
  assert.equal(decodeMessage(good, good.length, 0).conns.length, 2);
});

test('entries a backup cannot use are skipped and the rest of the message is read', () => {
  const msg = encodeMessages(
    [{ ...ESTABLISHED, protocol: 132 }, { ...ESTABLISHED, state: 11 }, ESTABLISHED],
    5,
    1472,
  )[0]!;
  const d = decodeMessage(msg, msg.length, 5);
  assert.equal(d.error, undefined);
  assert.deepEqual(d.skipped, ['protocol', 'state']);
  assert.deepEqual(d.conns, [received(ESTABLISHED)]);
  // An unknown mandatory option skips its entry; an unknown optional one is ignored.
  const opt = (type: number): Buffer => {
    const b = Buffer.concat([
      encodeMessages([ESTABLISHED], 5, 1472)[0]!,
      Buffer.from([type, 2, 0, 0]),
    ]);
    b.writeUInt16BE(40, 8 + 2);
    b.writeUInt16BE(b.length, 2);
    return b;
  };
  assert.deepEqual(decodeMessage(opt(9), 48, 5).skipped, ['param']);
  assert.equal(decodeMessage(opt(9 | 0x40), 48, 5).conns.length, 1);
});

test('decoding random bytes never throws (seeded)', () => {
  let s = 99;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
  const good = encodeMessages(manyConns(30), 5, 1472)[0]!;
  for (let n = 0; n < 5000; n++) {
    const b = Buffer.from(good);
    for (let k = 0; k < 1 + (n % 8); k++) b[rnd() % b.length] = rnd();
    const len = n % 3 === 0 ? b.readUInt16BE(2) % (b.length + 1) : b.length;
    assert.doesNotThrow(() => decodeMessage(b, len, n % 2 ? 5 : 0));
  }
});
