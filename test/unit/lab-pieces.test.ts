import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { tableServers } from '../../src/lab/keepalived-failover.js';
import { MAQUETTES, maquetteByName } from '../../src/lab/maquette-registry.js';
import { stampLines } from '../../src/lab/timestamped-log.js';
import { portName } from '../../src/lab/topology.js';
import { serveHttp } from '../../src/lab/web-server.js';

test('lab log lines carry an ISO time and the process that wrote them', () => {
  const at = new Date(Date.UTC(2026, 10, 27, 4, 5, 6, 789));
  assert.equal(
    stampLines('uvs-director/uvsd', 'uvsd: 192.168.20.1:80 DOWN (refused)\n\nsecond\n', at),
    '2026-11-27T04:05:06.789Z uvs-director/uvsd uvsd: 192.168.20.1:80 DOWN (refused)\n' +
      '2026-11-27T04:05:06.789Z uvs-director/uvsd second\n',
  );
});

test('switch ports are named after their host and interface', () => {
  assert.equal(portName('s1', 'eth0'), 's1-eth0');
  assert.equal(portName('director', 'eth2'), 'director-eth2');
  assert.throws(() => portName('a-very-long-host', 'eth0'), /longer than 15 characters/);
});

test('the real servers of an ipvsadm -Ln listing', () => {
  const listing = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  192.168.10.23:80 rr
  -> 192.168.20.1:80              Masq    1      0          0
  -> 192.168.20.3:80              Masq    1      0          0
`;
  assert.deepEqual(tableServers(listing), ['192.168.20.1:80', '192.168.20.3:80']);
});

test('maquettes are found by command and by name', () => {
  assert.equal(maquetteByName('nat')?.vip, '192.168.10.23');
  assert.equal(maquetteByName('dr')?.name, 'dr');
  assert.equal(maquetteByName('keepalived')?.keepalivedConf !== undefined, true);
  assert.equal(maquetteByName('nope'), undefined);
});

test('the lab web server: the page on /, 404 on an unknown path', async () => {
  const server = await serveHttp(0, 'Je suis le serveur 1', '127.0.0.1');
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ok = await fetch(`${base}/`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'Je suis le serveur 1\n');
    const missing = await fetch(`${base}/index.php`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), '/index.php: not found\n');
    assert.equal((await fetch(`${base}/bytes?n=5`)).status, 200);
  } finally {
    server.close();
  }
});

test('every maquette names each host once, and each host plugs each interface once', () => {
  for (const e of MAQUETTES) {
    const m = e.make({ rsMethod: 'sysctl' });
    const names = m.hosts.map((h) => h.name);
    assert.deepEqual([...new Set(names)], names, e.command);
    for (const h of m.hosts) {
      const ifs = h.ifaces.map((i) => i.ifName);
      assert.deepEqual([...new Set(ifs)], ifs, `${e.command}: ${h.name}`);
    }
  }
  assert.equal(maquetteByName('tun6')?.hosts.length, 5);
});
