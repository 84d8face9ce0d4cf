import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Verdict } from '../../src/engine/verdict.js';
import { finish, sum16, writeU16 } from '../../src/packet/checksum.js';
import { buildFrame, checksumsOk, fieldsOf } from './fixtures/frames.js';
import { CLIENT_IF, SERVER_IF } from './fixtures/fake-env.js';
import { CLIENT_MAC, natDirector, S1, S1_MAC, VIP } from './fixtures/nat-director.js';

const syn = () =>
  buildFrame({
    srcMac: CLIENT_MAC,
    src: '192.168.10.1',
    dst: VIP,
    proto: 'tcp',
    sport: 50000,
    dport: 80,
    flags: 0x02,
  });

const rows: {
  name: string;
  frame: () => { buf: Buffer; len: number };
  verdict: Verdict;
  counter?: string;
}[] = [
  {
    name: 'a 10-byte frame',
    frame: () => ({ buf: Buffer.alloc(10), len: 10 }),
    verdict: Verdict.Drop,
    counter: 'drop.truncated',
  },
  {
    name: 'an IPv4 header cut short',
    frame: () => {
      const b = syn();
      return { buf: b, len: 14 + 12 };
    },
    verdict: Verdict.Drop,
    counter: 'drop.bad_ip_header',
  },
  {
    name: 'an IHL below 5 words',
    frame: () => {
      const b = syn();
      b[14] = 0x43;
      return { buf: b, len: b.length };
    },
    verdict: Verdict.Drop,
    counter: 'drop.bad_ip_header',
  },
  {
    name: 'a total length beyond the frame',
    frame: () => {
      const b = syn();
      writeU16(b, 16, 1400);
      return { buf: b, len: b.length };
    },
    verdict: Verdict.Drop,
    counter: 'drop.truncated',
  },
  {
    name: 'a TCP header cut short',
    frame: () => {
      const b = syn();
      writeU16(b, 16, 30);
      return { buf: b, len: b.length };
    },
    verdict: Verdict.Drop,
    counter: 'drop.truncated',
  },
  {
    name: 'a fragment to the VIP',
    frame: () => {
      const b = syn();
      writeU16(b, 20, 0x2000);
      return { buf: b, len: b.length };
    },
    verdict: Verdict.Drop,
    counter: 'drop.fragment',
  },
  {
    name: 'an IPv4 packet under the IPv6 EtherType (version 4)',
    frame: () => {
      const b = syn();
      writeU16(b, 12, 0x86dd);
      return { buf: b, len: b.length };
    },
    verdict: Verdict.Drop,
    counter: 'drop.bad_ip_header',
  },
  {
    name: 'TCP to another address',
    frame: () => ({
      buf: buildFrame({
        src: '192.168.10.1',
        dst: '192.168.10.254',
        proto: 'tcp',
        sport: 1,
        dport: 22,
        flags: 2,
      }),
      len: 0,
    }),
    verdict: Verdict.NotOurs,
  },
];

for (const row of rows) {
  test(`malformed input: ${row.name} → ${['NotOurs', 'Forward', 'Reply', 'Drop'][row.verdict]}`, () => {
    const { engine, clock } = natDirector('rr');
    const { buf, len } = row.frame();
    assert.equal(engine.process(buf, len || buf.length, CLIENT_IF, clock.now), row.verdict);
    if (row.counter) assert.equal(engine.counters()[row.counter], 1);
    assert.equal(engine.conns.count, 0);
  });
}

test('a SYN with IP options is forwarded with the options kept and checksums valid', () => {
  const { engine, clock } = natDirector('rr');
  const f = buildFrame({
    srcMac: CLIENT_MAC,
    src: '192.168.10.1',
    dst: VIP,
    proto: 'tcp',
    sport: 50001,
    dport: 80,
    flags: 2,
    ipOptions: Buffer.from([1, 1, 1, 0]),
  });
  assert.equal(engine.process(f, f.length, CLIENT_IF, clock.now), Verdict.Forward);
  assert.equal(f[14]! & 0x0f, 6);
  assert.equal(fieldsOf(f).dst, S1);
  assert.ok(checksumsOk(f));
});

test('Ethernet padding after the IP packet is not sent on', () => {
  const { engine, clock } = natDirector('rr');
  const f = syn();
  const padded = Buffer.concat([f, Buffer.alloc(6)]);
  assert.equal(engine.process(padded, padded.length, CLIENT_IF, clock.now), Verdict.Forward);
  assert.equal(engine.txLen, f.length);
});

test('an ICMP port unreachable from the real server reaches the client rewritten to the VIP', () => {
  const { engine, clock } = natDirector('rr', { proto: 'udp' });
  const dgram = buildFrame({
    srcMac: CLIENT_MAC,
    src: '192.168.10.1',
    dst: VIP,
    proto: 'udp',
    sport: 5000,
    dport: 80,
    payload: 'hello',
  });
  engine.process(dgram, dgram.length, CLIENT_IF, clock.now);
  // The server quotes what it received: 192.168.10.1:5000 → S1:80.
  const quoted = dgram.subarray(14, 14 + 28);
  const icmp = Buffer.alloc(14 + 20 + 8 + quoted.length);
  dgram.copy(icmp, 0, 0, 34);
  icmp.set([0x02, 0xdd, 0, 0, 0, 2], 0);
  icmp.set(Buffer.from(S1_MAC.split(':').map((h) => parseInt(h, 16))), 6);
  icmp[14 + 9] = 1;
  writeU16(icmp, 16, 20 + 8 + quoted.length);
  icmp.writeUInt32BE(0xc0a81401, 26); // src S1
  icmp.writeUInt32BE(0xc0a80a01, 30); // dst client
  writeU16(icmp, 24, 0);
  writeU16(icmp, 24, finish(sum16(icmp, 14, 20)));
  icmp[34] = 3;
  icmp[35] = 3;
  quoted.copy(icmp, 42);
  writeU16(icmp, 36, finish(sum16(icmp, 34, icmp.length - 34)));
  assert.equal(engine.process(icmp, icmp.length, SERVER_IF, clock.now), Verdict.Forward);
  assert.equal(engine.txIfIndex, CLIENT_IF);
  assert.equal(fieldsOf(icmp).src, VIP);
  assert.equal(icmp.readUInt32BE(42 + 16), 0xc0a80a17, 'quoted destination is the VIP');
  assert.equal(icmp.readUInt16BE(42 + 20 + 2), 80, 'quoted destination port is the virtual port');
  assert.ok(checksumsOk(icmp), 'ICMP checksum recomputed');
  assert.equal(finish(sum16(icmp, 42, 20)), 0, 'quoted IP header checksum fixed');
});
