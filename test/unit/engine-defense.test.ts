// IPVS's SYN-flood defences on uvs's fixed table: drop_entry makes room among half-open entries
// for new connections, drop_packet refuses a share of new ones, secure_tcp keeps spoofed SYNs out
// of ESTABLISHED; established connections are never the victims.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Verdict } from '../../src/engine/verdict.js';
import { CLIENT_IF, SERVER_IF } from './fixtures/fake-env.js';
import { buildFrame, fieldsOf } from './fixtures/frames.js';
import { CLIENT_MAC, natDirector, S1, S1_MAC, S2_MAC, VIP } from './fixtures/nat-director.js';
import { EngineRig } from './fixtures/engine-rig.js';

const SYN = 0x02;
const ACK = 0x10;

function packet(src: string, sport: number, flags: number): Buffer {
  return buildFrame({ srcMac: CLIENT_MAC, src, dst: VIP, proto: 'tcp', sport, dport: 80, flags });
}

/** A director whose table holds 1024 connections, defences set. */
function small(defense: {
  dropEntry: number;
  dropPacket: number;
  secureTcp: number;
  amemthresh: number;
}) {
  const d = natDirector('rr');
  const rig = new EngineRig(d.env, () => d.clock.now, 1024);
  rig.director.addService({ key: d.key, scheduler: 'rr' });
  for (const s of d.director.services()[0]!.dests) rig.director.addDest(d.key, s);
  rig.routeDestsVia(3);
  rig.director.setDefense({ firstSynDrop: 0, ...defense });
  return { rig, clock: d.clock };
}

/** The source address of the `k`th spoofed SYN. */
const spoofed = (k: number): string => `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;

/** Floods the table with spoofed SYNs (sources `from`…); returns how many were forwarded. */
function flood(rig: EngineRig, now: number, n: number, from = 0): number {
  let fwd = 0;
  for (let k = from; k < from + n; k++) {
    const f = packet(spoofed(k), 1024 + (k % 50000), SYN);
    if (rig.process(f, f.length, CLIENT_IF, now) === Verdict.Forward) fwd++;
  }
  return fwd;
}

test('without defences, a flood fills the table and a legitimate client is refused', () => {
  const { rig, clock } = small({ dropEntry: 0, dropPacket: 0, secureTcp: 0, amemthresh: 64 });
  flood(rig, clock.now, 2000);
  const f = packet('192.168.10.1', 40000, SYN);
  assert.equal(rig.process(f, f.length, CLIENT_IF, clock.now), Verdict.Drop);
  assert.ok(rig.counters()['drop.table_full']! > 0);
});

test('drop_entry: a full table of half-open entries makes room for a new client; established ones stay', () => {
  const { rig, clock } = small({ dropEntry: 1, dropPacket: 0, secureTcp: 0, amemthresh: 64 });
  // An established connection first: it must survive the flood.
  const syn = packet('192.168.10.9', 41000, SYN);
  rig.process(syn, syn.length, CLIENT_IF, clock.now);
  const ack = packet('192.168.10.9', 41000, ACK);
  rig.process(ack, ack.length, CLIENT_IF, clock.now);
  flood(rig, clock.now, 5000);
  assert.ok(rig.shared.conns.count >= 1024 - 64, `the table is full: ${rig.shared.conns.count}`);
  for (let k = 0; k < 40; k++) {
    const f = packet('192.168.10.1', 42000 + k, SYN);
    assert.equal(rig.process(f, f.length, CLIENT_IF, clock.now), Verdict.Forward, `client ${k}`);
  }
  assert.equal(rig.counters()['drop.table_full'], 0);
  const est = rig.director.connections().filter((c) => c.state === 'ESTABLISHED');
  assert.deepEqual(
    est.map((c) => `${c.clientAddr}:${c.clientPort}`),
    ['192.168.10.9:41000'],
  );
  const data = packet('192.168.10.9', 41000, ACK | 0x08);
  assert.equal(rig.process(data, data.length, CLIENT_IF, clock.now), Verdict.Forward);
});

test("drop_entry takes the oldest half-open entry it samples: a real client's handshake in progress survives the flood", () => {
  const { rig, clock } = small({ dropEntry: 1, dropPacket: 0, secureTcp: 0, amemthresh: 64 });
  flood(rig, clock.now, 1024);
  // A real client's SYN, its ACK still to come (lost in a full ring, say) while the flood goes on.
  clock.advance(1000);
  const syn = packet('192.168.10.1', 40000, SYN);
  assert.equal(rig.process(syn, syn.length, CLIENT_IF, clock.now), Verdict.Forward);
  // Half the table's worth of new spoofed SYNs: each takes the place of an older one (with a
  // random victim, as IPVS picks, the client's entry would go 4 times in 10).
  for (let k = 0; k < 5; k++) {
    clock.advance(100);
    flood(rig, clock.now, 100, 1024 + k * 100);
  }
  assert.ok(rig.counters()['evicted']! >= 500, 'the flood made room for itself');
  const ack = packet('192.168.10.1', 40000, ACK);
  assert.equal(rig.process(ack, ack.length, CLIENT_IF, clock.now), Verdict.Forward);
  assert.equal(rig.counters()['drop.no_connection'], 0);
});

test('drop_entry spares a handshake the server has answered, even the oldest, while unanswered SYNs remain', () => {
  const { rig, clock } = small({ dropEntry: 1, dropPacket: 0, secureTcp: 0, amemthresh: 64 });
  // A real client's SYN, answered by the server; its ACK is lost for a long while.
  const syn = packet('192.168.10.1', 40000, SYN);
  assert.equal(rig.process(syn, syn.length, CLIENT_IF, clock.now), Verdict.Forward);
  const conn = rig.director.connections()[0]!;
  const synAck = buildFrame({
    srcMac: conn.destAddr === S1 ? S1_MAC : S2_MAC,
    src: conn.destAddr,
    dst: '192.168.10.1',
    proto: 'tcp',
    sport: conn.destPort,
    dport: 40000,
    flags: SYN | ACK,
  });
  assert.equal(rig.process(synAck, synAck.length, SERVER_IF, clock.now), Verdict.Forward);
  // Then a flood twice the table's size: SYNs that stay unanswered, all younger.
  for (let k = 0; k < 4; k++) {
    clock.advance(1500);
    flood(rig, clock.now, 512, k * 512);
  }
  assert.ok(rig.counters()['evicted']! >= 1000, 'the flood made room for itself');
  const ack = packet('192.168.10.1', 40000, ACK);
  assert.equal(rig.process(ack, ack.length, CLIENT_IF, clock.now), Verdict.Forward);
  assert.equal(rig.counters()['drop.no_connection'], 0);
});

test('the drop_entry sweep drops old half-open entries and spares those of the last 10 s', () => {
  const { rig, clock } = small({ dropEntry: 1, dropPacket: 0, secureTcp: 0, amemthresh: 512 });
  flood(rig, clock.now, 600);
  clock.advance(11_000);
  flood(rig, clock.now, 200, 600);
  clock.advance(8_000);
  flood(rig, clock.now, 100, 800);
  const youngSources = new Set(Array.from({ length: 300 }, (_, k) => spoofed(600 + k)));
  const young = (): number =>
    rig.director.connections().filter((c) => youngSources.has(c.clientAddr)).length;
  const before = rig.shared.conns.count;
  const evictedBefore = rig.counters()['evicted']!;
  for (let k = 0; k < 40; k++) rig.tick(clock.now);
  const evicted = rig.counters()['evicted']! - evictedBefore;
  assert.ok(evicted > 0, 'the sweep dropped some');
  assert.equal(rig.shared.conns.count, before - evicted);
  assert.equal(young(), 300);
});

test('drop_entry dropped slots are reused once the thread moved past its batch', () => {
  const { rig, clock } = small({ dropEntry: 3, dropPacket: 0, secureTcp: 0, amemthresh: 64 });
  flood(rig, clock.now, 3000);
  // Every SYN beyond the capacity evicted one and took a slot: the table stays full, none lost.
  assert.equal(rig.counters()['drop.table_full'], 0);
  assert.ok(rig.shared.conns.count <= 1024);
});

test('drop_packet 3 refuses one new connection in ten; 1 only while the table is short', () => {
  const always = small({ dropEntry: 0, dropPacket: 3, secureTcp: 0, amemthresh: 64 });
  const fwd = flood(always.rig, always.clock.now, 100);
  assert.equal(fwd, 90);
  assert.equal(always.rig.counters()['drop.defense'], 10);
  const auto = small({ dropEntry: 0, dropPacket: 1, secureTcp: 0, amemthresh: 512 });
  assert.equal(flood(auto.rig, auto.clock.now, 100), 100, 'not short yet: nothing refused');
  flood(auto.rig, auto.clock.now, 600);
  assert.ok(auto.rig.counters()['drop.defense']! > 0, 'short: some refused');
});

test('secure_tcp: a client ACK alone does not make a connection ESTABLISHED; the server answering does', () => {
  const { engine, director, clock } = natDirector('rr');
  director.setDefense({
    dropEntry: 0,
    dropPacket: 0,
    secureTcp: 3,
    amemthresh: 0,
    firstSynDrop: 0,
  });
  const syn = packet('192.168.10.1', 43000, SYN);
  engine.process(syn, syn.length, CLIENT_IF, clock.now);
  const ack = packet('192.168.10.1', 43000, ACK);
  engine.process(ack, ack.length, CLIENT_IF, clock.now);
  assert.equal(director.connections()[0]!.state, 'SYN_RECV', 'a spoofed handshake stays half-open');
  assert.equal(fieldsOf(syn).dport, 80);
});
