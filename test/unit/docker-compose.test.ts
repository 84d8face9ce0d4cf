// The compose maquettes (docker/*/compose.yaml): valid for Compose (docker-compose config,
// which needs no Docker engine), and the same addresses and rules as the namespace labs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readKeepalivedConfig } from '../../src/keepalived/config.js';
import { drMaquette, NAT_MAQUETTE, TUN_MAQUETTE, type Maquette } from '../../src/lab/maquette.js';

const dockerDir = (m: string): string =>
  fileURLToPath(new URL(`../../../docker/${m}/`, import.meta.url));

function composeConfig(m: string): string {
  const r = spawnSync('docker-compose', ['config'], { cwd: dockerDir(m), encoding: 'utf8' });
  assert.equal(r.status, 0, `docker/${m}: ${r.stderr}`);
  return r.stdout;
}

const addresses = (config: string): string[] =>
  [...config.matchAll(/ipv4_address: (\S+)/g)].map((x) => x[1]!).sort();

/** The maquette's host addresses but its VIP (which uvs-start adds, as the course does). */
const labAddresses = (m: Maquette): string[] =>
  m.hosts
    .flatMap((h) => h.ifaces.flatMap((i) => i.addrs.map((a) => a.split('/')[0]!)))
    .filter((a) => a !== m.vip)
    .sort();

for (const [name, maquette] of [
  ['nat', NAT_MAQUETTE],
  ['dr', drMaquette('sysctl')],
  ['tun', TUN_MAQUETTE],
] as const) {
  test(`docker/${name}: valid compose file with the lab's addresses, VIP and uvsadm rules`, () => {
    const config = composeConfig(name);
    assert.deepEqual(addresses(config), labAddresses(maquette));
    assert.match(
      config,
      new RegExp(
        `UVS_ADDRS: ${maquette.vip.replace(/\./g, '\\.')}/24|UVS_LO_VIP: ${maquette.vip.replace(/\./g, '\\.')}`,
      ),
    );
    const rules = readFileSync(`${dockerDir(name)}rules`, 'utf8')
      .trim()
      .split('\n');
    assert.deepEqual(
      rules,
      maquette.commands.map((c) => c.join(' ')),
    );
  });
}

test('docker/ha: valid compose file, two directors each with its keepalived.conf', () => {
  const config = composeConfig('ha');
  assert.deepEqual(addresses(config), [
    '192.168.10.1',
    '192.168.10.252',
    '192.168.10.253',
    '192.168.20.1',
    '192.168.20.2',
    '192.168.20.252',
    '192.168.20.253',
  ]);
  for (const n of [1, 2]) {
    const conf = readFileSync(`${dockerDir('ha')}keepalived-director${n}.conf`, 'utf8');
    assert.match(conf, new RegExp(`priority ${n === 1 ? 150 : 100}\\n`));
    assert.match(conf, /virtual_ipaddress \{\n\s+192\.168\.10\.23\/24/);
    const read = readKeepalivedConfig(`${dockerDir('ha')}keepalived-director${n}.conf`);
    assert.deepEqual(
      read.virtualServers.map((v) => v.realServers.map((r) => r.ip)),
      [['192.168.20.1', '192.168.20.2']],
    );
  }
});
