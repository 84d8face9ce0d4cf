// LVS-NAT over IPv6 through the real director: real HTTP through uvsd in network namespaces,
// the hosts' offloads left on (GSO super-frames and partial checksums cross uvsd).
//
//   client 2001:db8:10::1 ── lan10 ── eth1 [director] eth2 ── lan20 ──┬── S1 2001:db8:20::1
//                    2001:db8:10::254 + VIP ::23   2001:db8:20::254     └── S2 2001:db8:20::2
//
// (the course's « Maquette de test LVS-NAT » in IPv6; S1/S2 route back through the director)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Lab } from '../../src/lab/lab.js';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import { NAT6_MAQUETTE } from '../../src/lab/maquette6.js';
import { deterministicBytes } from '../../src/lab/web-server.js';
import { until } from '../helpers/poll.js';
import { SeededRandom } from '../helpers/seeded-random.js';
import {
  capture,
  counters,
  download,
  fetchPages,
  lengthAndSha256,
  upload,
  uvsadmOk,
} from './helpers/nat-lab.js';

const VIP = '2001:db8:10::23';
const URL6 = `http://[${VIP}]/`;
const REMAP_S1 = 'S1 sur le port 8080';
const REMAP_S2 = 'S2 sur le port 8080';
const lab = new Lab(NAT6_MAQUETTE, `uvt${process.pid.toString(36)}n6f`);

before(() => {
  lab.build();
  lab.startWebServer('s1', 8080, REMAP_S1, '::');
  lab.startWebServer('s2', 8080, REMAP_S2, '::');
  lab.waitForPort('s1', 8080);
  lab.waitForPort('s2', 8080);
  lab.startDirector();
  lab.configure();
});

after(() => lab.destroy());

test('NAT6: HTTP through [VIP]:80 alternates S1 and S2; -Lnc lists the IPv6 connections', () => {
  assert.deepEqual(fetchPages(lab, 6, URL6), [
    PAGE_S1,
    PAGE_S2,
    PAGE_S1,
    PAGE_S2,
    PAGE_S1,
    PAGE_S2,
  ]);
  const conns = uvsadmOk(lab, ['-Lnc']).split('\n');
  assert.equal(conns[0], 'IPVS connection entries');
  const rows = conns.filter((l) => l.startsWith('TCP '));
  assert.equal(rows.length, 6);
  for (const r of rows)
    assert.match(
      r,
      /^TCP \d\d:\d\d {2}TIME_WAIT {3}\[2001:db8:10::1\]:\d+ \[2001:db8:10::23\]:80 \[2001:db8:20::[12]\]:80$/,
    );
});

test('NAT6 port remap: [VIP]:81 is served by the real servers on 8080, their replies come from [VIP]:81', () => {
  uvsadmOk(lab, ['-A', '-t', `[${VIP}]:81`, '-s', 'rr']);
  for (const n of [1, 2])
    uvsadmOk(lab, ['-a', '-t', `[${VIP}]:81`, '-r', `[2001:db8:20::${n}]:8080`, '-m']);
  assert.deepEqual(fetchPages(lab, 4, `http://[${VIP}]:81/`), [
    REMAP_S1,
    REMAP_S2,
    REMAP_S1,
    REMAP_S2,
  ]);
  assert.match(uvsadmOk(lab, ['-Ln']), /-> \[2001:db8:20::2\]:8080 +Masq +1 +0 +2/);
});

test('a 10 MB download over IPv6 NAT arrives intact', () => {
  const n = 10 * 1024 * 1024;
  assert.equal(download(lab, `${URL6}bytes?n=${n}`), lengthAndSha256(deterministicBytes(n)));
});

test('a narrower route toward the servers: the client gets packet too big from the VIP and the upload completes', async () => {
  for (const n of [1, 2])
    lab.run('director', 'ip', [
      '-6',
      'route',
      'add',
      `2001:db8:20::${n}/128`,
      'dev',
      'eth2',
      'mtu',
      '1400',
    ]);
  const body = new SeededRandom(1400).bytes(300_000);
  const tooBig = `${VIP} > 2001:db8:10::1: ICMP6, packet too big, mtu 1400`;
  try {
    // uvsd learns the route MTU when `ip monitor` reports the change: upload until the
    // director's packet too big names it, every upload complete and intact.
    let icmp: string[] = [];
    await until(
      async () => {
        lab.run('client', 'ip', ['-6', 'route', 'flush', 'cache']);
        let answer = '';
        icmp = await capture(lab, 'client', 'eth0', 'icmp6 and ip6[40] == 2', () => {
          answer = upload(lab, `${URL6}upload`, body);
        });
        assert.equal(answer, lengthAndSha256(body));
        return icmp.some((l) => l.includes(tooBig));
      },
      {
        what: 'packet too big from the VIP with the route MTU',
        timeoutMs: 20_000,
        lastSeen: () => icmp.join('\n'),
      },
    );
    assert.ok(counters(lab)['frag_needed']! > 0);
  } finally {
    for (const n of [1, 2])
      lab.run('director', 'ip', ['-6', 'route', 'del', `2001:db8:20::${n}/128`]);
    lab.run('client', 'ip', ['-6', 'route', 'flush', 'cache']);
  }
});

test("a narrower link toward the client: the server gets packet too big from the director's address and the download completes", async () => {
  // Only the director's side: the client still announces an MSS for 1500, as one behind a
  // narrower link further on would.
  lab.topo.mtu('director', 'eth1', 1400);
  const n = 2 * 1024 * 1024;
  try {
    let got = '';
    let icmp: string[] = [];
    await until(
      async () => {
        for (const s of ['s1', 's2']) lab.run(s, 'ip', ['-6', 'route', 'flush', 'cache']);
        icmp = await capture(lab, 'director', 'eth2', 'icmp6 and ip6[40] == 2', () => {
          got = download(lab, `${URL6}bytes?n=${n}`);
        });
        assert.equal(got, lengthAndSha256(deterministicBytes(n)));
        return icmp.some((l) =>
          /2001:db8:20::254 > 2001:db8:20::[12]: ICMP6, packet too big, mtu 1400/.test(l),
        );
      },
      {
        what: 'packet too big from the director toward the server',
        timeoutMs: 20_000,
        lastSeen: () => icmp.join('\n'),
      },
    );
  } finally {
    lab.topo.mtu('director', 'eth1', 1500);
  }
});
