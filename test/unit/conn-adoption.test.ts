// A restarted uvsd takes over its predecessor's connection table (a file in /dev/shm): the same
// block of memory, found again, its entries bound to the new configuration's ids.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adoptConnections } from '../../src/daemon/conn-adoption.js';
import { EngineShared, persistentLayout } from '../../src/engine/engine-shared.js';
import { Verdict } from '../../src/engine/verdict.js';
import { EngineRig } from './fixtures/engine-rig.js';
import { CLIENT_IF, FakeEnv, SERVER_IF } from './fixtures/fake-env.js';
import { fieldsOf } from './fixtures/frames.js';
import { dest, fromClient, S1, S1_MAC, S2, S2_MAC, VIP } from './fixtures/nat-director.js';
import { fields6, fromClient6, S1_6, S2_6, VIP6 } from './fixtures/nat6-director.js';

const CAP = 1024;
const key = { kind: 'addr' as const, proto: 'tcp' as const, vip: VIP, port: 80 };
const other = { kind: 'addr' as const, proto: 'udp' as const, vip: VIP, port: 53 };

function director(block: SharedArrayBuffer, now: () => number, otherFirst: boolean): EngineRig {
  const env = new FakeEnv().addNeighbour(S1, S1_MAC).addNeighbour(S2, S2_MAC);
  const shared = EngineShared.create(CAP, now(), block, true);
  const rig = new EngineRig(env, now, CAP, shared);
  // The second run configures in another order: the ids of services and servers differ.
  if (otherFirst) {
    rig.director.addService({ key: other, scheduler: 'rr' });
    rig.director.addDest(other, dest(S2, 53));
  }
  rig.director.addService({ key, scheduler: 'rr' });
  rig.director.addDest(key, dest(S1, 8080));
  rig.director.addDest(key, dest(S2, 8080));
  rig.routeDestsVia(SERVER_IF);
  return rig;
}

test('a restarted director takes over established connections: same real server, counts, states', () => {
  let now = 5_000_000;
  const block = new SharedArrayBuffer(persistentLayout(CAP).bytes);
  const first = director(block, () => now, false);
  assert.equal(first.shared.found, false, 'a new block: nothing to take over');
  const servers: string[] = [];
  for (const port of [40001, 40002, 40003]) {
    const syn = fromClient(port, 0x02);
    first.process(syn, syn.length, CLIENT_IF, now);
    servers.push(fieldsOf(syn).dst);
    const ack = fromClient(port, 0x10);
    first.process(ack, ack.length, CLIENT_IF, now);
  }
  assert.deepEqual(servers, [S1, S2, S1]);

  // uvsd killed; a new one maps the same block 5 s later.
  now += 5000;
  const second = director(block, () => now, true);
  assert.equal(second.shared.found, true, 'the block is recognised');
  assert.equal(adoptConnections(second.shared, second.director.table, now), 3);
  const conns = second.director.connections();
  assert.deepEqual(conns.map((c) => [c.clientPort, c.state, c.destAddr]).sort(), [
    [40001, 'ESTABLISHED', S1],
    [40002, 'ESTABLISHED', S2],
    [40003, 'ESTABLISHED', S1],
  ]);
  const tcp = second.director
    .services()
    .find((s) => s.key.kind === 'addr' && s.key.proto === 'tcp')!;
  assert.deepEqual(
    tcp.dests.map((d) => d.activeConns),
    [2, 1],
    'active connections counted again per real server',
  );
  // The stream goes on: data from the client reaches its real server, rewritten.
  const data = fromClient(40002, 0x18);
  assert.equal(second.process(data, data.length, CLIENT_IF, now), Verdict.Forward);
  assert.equal(fieldsOf(data).dst, S2);
  assert.equal(fieldsOf(data).dport, 8080);
});

test('connections whose real server is gone, or which expired meanwhile, are not taken over', () => {
  let now = 7_000_000;
  const block = new SharedArrayBuffer(persistentLayout(CAP).bytes);
  const first = director(block, () => now, false);
  for (const port of [41001, 41002]) {
    const syn = fromClient(port, 0x02);
    first.process(syn, syn.length, CLIENT_IF, now);
  }
  now += 61_000; // SYN_RECV lasts 60 s
  const second = director(block, () => now, false);
  assert.equal(adoptConnections(second.shared, second.director.table, now), 0);
  assert.equal(second.director.connections().length, 0);
});

test('a block of another size is not taken over: the new table starts empty', () => {
  const block = new SharedArrayBuffer(persistentLayout(2048).bytes);
  EngineShared.create(2048, 0, block, true);
  const s = EngineShared.create(CAP, 0, block, true);
  assert.equal(s.found, false);
});

test('IPv6 connections are taken over as well (their own table, folds under the new seed)', () => {
  let now = 9_000_000;
  const block = new SharedArrayBuffer(persistentLayout(CAP).bytes);
  const run = (otherFirst: boolean): EngineRig => {
    const shared = EngineShared.create(CAP, now, block, true);
    const rig = new EngineRig(new FakeEnv(), () => now, CAP, shared);
    const k6 = { kind: 'addr' as const, proto: 'tcp' as const, vip: VIP6, port: 80 };
    if (otherFirst) {
      rig.director.addService({ key: other, scheduler: 'rr' });
      rig.director.addDest(other, dest(S2, 53));
    }
    rig.director.addService({ key: k6, scheduler: 'rr' });
    rig.director.addDest(k6, dest(S1_6, 8080));
    rig.director.addDest(k6, dest(S2_6, 8080));
    rig.routeDestsVia(SERVER_IF);
    rig.addNeighbour6(S1_6, S1_MAC, SERVER_IF, now);
    rig.addNeighbour6(S2_6, S2_MAC, SERVER_IF, now);
    return rig;
  };
  const first = run(false);
  for (const sport of [42001, 42002]) {
    for (const flags of [0x02, 0x10]) {
      const f = fromClient6({ sport, flags });
      assert.equal(first.process(f, f.length, CLIENT_IF, now), Verdict.Forward);
    }
  }
  now += 3000;
  const second = run(true);
  assert.equal(second.shared.found, true);
  assert.equal(adoptConnections(second.shared, second.director.table, now), 2);
  assert.deepEqual(
    second.director
      .connections()
      .map((c) => [c.clientPort, c.state, c.destAddr])
      .sort(),
    [
      [42001, 'ESTABLISHED', S1_6],
      [42002, 'ESTABLISHED', S2_6],
    ],
  );
  const data = fromClient6({ sport: 42002, flags: 0x18 });
  assert.equal(second.process(data, data.length, CLIENT_IF, now), Verdict.Forward);
  assert.equal(fields6(data).dst, S2_6);
});
