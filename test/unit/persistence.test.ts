import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpv4 } from '../../src/packet/addr.js';
import { Verdict } from '../../src/engine/verdict.js';
import { guardRuleset } from '../../src/net/kernel-guard.js';
import { buildFrame, fieldsOf } from './fixtures/frames.js';
import { CLIENT_IF } from './fixtures/fake-env.js';
import { CLIENT_MAC, dest, natDirector, S1, S2, VIP } from './fixtures/nat-director.js';

function persistent(timeout: number, netmask = '255.255.255.255', port = 80) {
  const d = natDirector('rr');
  d.director.deleteService(d.key);
  const key = { kind: 'addr' as const, proto: 'tcp' as const, vip: VIP, port };
  d.director.addService({ key, scheduler: 'rr', persistence: { timeout, netmask } });
  d.director.addDest(key, dest(S1, port));
  d.director.addDest(key, dest(S2, port));
  for (const x of d.director.table.activeDests()) x.ifIndex = 3;
  return { ...d, key };
}

function connect(
  d: ReturnType<typeof persistent>,
  client: string,
  sport: number,
  dport = 80,
): string {
  const syn = buildFrame({
    srcMac: CLIENT_MAC,
    src: client,
    dst: VIP,
    proto: 'tcp',
    sport,
    dport,
    flags: 0x02,
  });
  assert.equal(d.engine.process(syn, syn.length, CLIENT_IF, d.clock.now), Verdict.Forward);
  return fieldsOf(syn).dst;
}

test('-p: a client keeps its real server across connections; another client is scheduled anew', () => {
  const d = persistent(300);
  assert.deepEqual(
    [1, 2, 3].map((k) => connect(d, '10.0.0.1', 40000 + k)),
    [S1, S1, S1],
  );
  assert.equal(connect(d, '10.0.0.2', 40000), S2);
  const templates = d.director.connections().filter((c) => c.isTemplate);
  assert.deepEqual(
    templates.map((t) => [
      t.proto,
      t.state,
      t.clientAddr,
      t.clientPort,
      t.virtualAddr,
      t.virtualPort,
      t.destAddr,
      t.expiresMs,
    ]),
    [
      ['TCP', 'NONE', '10.0.0.1', 0, VIP, 80, S1, 300_000],
      ['TCP', 'NONE', '10.0.0.2', 0, VIP, 80, S2, 300_000],
    ],
  );
  assert.equal(d.director.services()[0]!.dests[0]!.persistentConns, 1);
});

test('-M 255.255.255.0 groups a /24 of clients on one server', () => {
  const d = persistent(300, '255.255.255.0');
  assert.equal(connect(d, '10.0.0.1', 1), S1);
  assert.equal(connect(d, '10.0.0.77', 2), S1);
  assert.equal(connect(d, '10.0.1.5', 3), S2);
  assert.deepEqual(
    d.director
      .connections()
      .filter((c) => c.isTemplate)
      .map((t) => t.clientAddr),
    ['10.0.0.0', '10.0.1.0'],
  );
});

test('a template outlives its connections, then expires after the persistence timeout', () => {
  const d = persistent(60);
  connect(d, '10.0.0.1', 1);
  d.clock.advance(59_000);
  d.engine.tick(d.clock.now); // the SYN_RECV connection (60 s) still holds the template
  assert.equal(d.director.connections().length, 2);
  d.clock.advance(2000);
  d.engine.tick(d.clock.now); // connection gone; the template restarted its timer
  assert.deepEqual(
    d.director.connections().map((c) => c.isTemplate),
    [true],
  );
  d.clock.advance(60_001);
  d.engine.tick(d.clock.now);
  assert.equal(d.director.connections().length, 0);
  assert.equal(d.director.services()[0]!.dests[0]!.persistentConns, 0);
  assert.equal(connect(d, '10.0.0.1', 2), S2, 'a new template is scheduled by rr');
});

test('a quiescent server keeps its persistent clients; a removed one loses them', () => {
  const d = persistent(300);
  assert.equal(connect(d, '10.0.0.1', 1), S1);
  d.director.editDest(d.key, { ...dest(S1, 80), weight: 0 });
  assert.equal(connect(d, '10.0.0.1', 2), S1);
  d.director.deleteDest(d.key, S1, 80);
  assert.equal(connect(d, '10.0.0.1', 3), S2);
});

test('a persistent port-0 service takes every port of the VIP', () => {
  const d = persistent(300, '255.255.255.255', 0);
  assert.equal(connect(d, '10.0.0.1', 1, 443), S1);
  assert.equal(connect(d, '10.0.0.1', 2, 8443), S1);
  const conns = d.director.connections().filter((c) => !c.isTemplate);
  assert.deepEqual(conns.map((c) => [c.virtualPort, c.destPort]).sort(), [
    [443, 443],
    [8443, 8443],
  ]);
  const rules = guardRuleset({
    interfaces: ['eth1'],
    services: [{ proto: 'tcp', vip: parseIpv4(VIP), port: 0 }],
    natDests: [{ proto: 'tcp', addr: parseIpv4(S1), port: 0 }],
    localAddrs: [],
  });
  assert.match(rules, /ip daddr 192\.168\.10\.23 meta l4proto tcp drop/);
  assert.match(rules, /ip saddr 192\.168\.20\.1 meta l4proto tcp drop/);
});
