// uvsd with libpcap (--io pcap, for systems without AF_PACKET rings): libpcap sees neither GSO
// fields nor partial checksums, so uvsd turns off the receive offloads that merge frames on the
// interfaces it serves, and the hosts' own offloads must be off too, as on a wire (turned off
// here for the lab's hosts). NAT works through it as through the default backend.
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
const OFF = ['tx', 'off', 'rx', 'off', 'tso', 'off', 'gso', 'off', 'gro', 'off'];

before(() => {
  lab.build();
  for (const [host, ifName] of [
    ['client', 'eth0'],
    ['s1', 'eth0'],
    ['s2', 'eth0'],
    ['director', 'eth1'],
    ['director', 'eth2'],
  ] as const) {
    lab.run(host, 'ethtool', ['-K', ifName, ...OFF]);
  }
  assert.equal(lab.run('director', 'ethtool', ['-K', 'eth1', 'gro', 'on']).code, 0);
  uvsd = lab.startDirector(['--io', 'pcap']);
  lab.configure();
});

after(() => lab.destroy());

test('with libpcap, uvsd turns off GRO on the interfaces it serves and says so', async () => {
  await until(() => /uvsd: eth1: turned off generic-receive-offload/.test(uvsd.output()), {
    what: 'uvsd says it turned GRO off on eth1',
    timeoutMs: 3000,
    intervalMs: 50,
    lastSeen: () => uvsd.output(),
  });
  assert.match(
    lab.run('director', 'ethtool', ['-k', 'eth1']).stdout,
    /generic-receive-offload: off/,
  );
});

test('with libpcap, NAT pages alternate between the real servers', () => {
  assert.deepEqual(fetchPages(lab, 4), [PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2]);
});
