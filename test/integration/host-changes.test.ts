// uvsd and the host it runs on: offloads left as the host has them (AF_PACKET takes merged
// frames whole), and a VIP that leaves the kernel's interfaces while uvsd runs is then announced
// by uvsd's own ARP replies. (libpcap's case, which turns GRO off, is pcap-backend.test.ts.)
//
//   client ── lan10 ── eth1 [director] eth2 ── lan20 ── S1, S2
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { until } from '../helpers/poll.js';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import { fetchPages, natLab } from './helpers/nat-lab.js';

const lab = natLab();
let uvsd: StartedProcess;

before(() => {
  lab.build();
  // GRO on, as a NIC may have it: with AF_PACKET, uvsd leaves it so.
  assert.equal(lab.run('director', 'ethtool', ['-K', 'eth1', 'gro', 'on']).code, 0);
  uvsd = lab.startDirector();
  lab.configure();
});

after(() => lab.destroy());

test('uvsd leaves the receive offloads of the interfaces it serves as they are, and forwards', () => {
  assert.match(
    lab.run('director', 'ethtool', ['-k', 'eth1']).stdout,
    /generic-receive-offload: on/,
  );
  assert.doesNotMatch(uvsd.output(), /turned off/);
  assert.deepEqual(fetchPages(lab, 2).sort(), [PAGE_S1, PAGE_S2].sort());
});

test('a VIP removed from the kernel while uvsd runs is answered by uvsd itself (ARP)', async () => {
  assert.equal(
    lab.run('director', 'ip', ['addr', 'del', '192.168.10.23/24', 'dev', 'eth1']).code,
    0,
  );
  lab.run('client', 'ip', ['neigh', 'flush', 'dev', 'eth0']);
  // uvsd follows address changes (ip monitor, debounced): bounded wait for its ARP answer.
  let pages: string[] = [];
  await until(
    () => {
      pages = fetchPages(lab, 2, 'http://192.168.10.23/', 2);
      if (!pages.includes('FAIL')) return true;
      lab.run('client', 'ip', ['neigh', 'flush', 'dev', 'eth0']);
      return false;
    },
    { what: 'the VIP answered once uvsd announces it', timeoutMs: 5000, intervalMs: 0 },
  );
  assert.deepEqual([...pages].sort(), [PAGE_S1, PAGE_S2]);
  const neigh = lab.run('client', 'ip', ['-j', 'neigh', 'show', '192.168.10.23']).stdout;
  const dirMac = (
    JSON.parse(lab.run('director', 'ip', ['-j', 'link', 'show', 'eth1']).stdout) as {
      address: string;
    }[]
  )[0]!.address;
  assert.equal(
    (JSON.parse(neigh) as { lladdr: string }[])[0]?.lladdr,
    dirMac,
    'the client reaches the VIP at the director MAC',
  );
});
