// LVS-NAT through the real director: real HTTP and UDP through uvsd in network namespaces.
//
//   client 192.168.10.1 ── lan10 ── eth1 [director] eth2 ── lan20 ──┬── S1 192.168.20.1
//                          192.168.10.254 + VIP .23   192.168.20.254 └── S2 192.168.20.2
//
// (the course's « Maquette de test LVS-NAT »; S1/S2 route back through the director)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import { deterministicBytes } from '../../src/lab/web-server.js';
import { until } from '../helpers/poll.js';
import {
  count,
  download,
  fetchPages,
  lengthAndSha256,
  natLab,
  uvsadmOk,
} from './helpers/nat-lab.js';

const VIP = '192.168.10.23';
const UDP_ASK = fileURLToPath(new URL('./fixtures/udp-ask.js', import.meta.url));
const lab = natLab();

before(() => {
  lab.build();
  lab.startDirector();
});

after(() => lab.destroy());

test('rr: HTTP through the VIP alternates S1 and S2', () => {
  lab.configure();
  assert.deepEqual(fetchPages(lab, 6), [PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2]);
});

test('wrr 3:1 gives S1 30 and S2 10 of 40 requests', () => {
  uvsadmOk(lab, ['-E', '-t', `${VIP}:80`, '-s', 'wrr']);
  uvsadmOk(lab, ['-e', '-t', `${VIP}:80`, '-r', '192.168.20.1:80', '-m', '-w', '3']);
  const pages = fetchPages(lab, 40);
  assert.equal(count(pages, PAGE_S1), 30);
  assert.equal(count(pages, PAGE_S2), 10);
});

test('lc: while S1 holds a long-lived connection, new connections go to S2', async () => {
  uvsadmOk(lab, ['-C']);
  uvsadmOk(lab, ['-A', '-t', `${VIP}:80`, '-s', 'lc']);
  uvsadmOk(lab, ['-a', '-t', `${VIP}:80`, '-r', '192.168.20.1:80', '-m']);
  uvsadmOk(lab, ['-a', '-t', `${VIP}:80`, '-r', '192.168.20.2:80', '-m']);
  // A request S1 answers after 6 s: its connection stays ESTABLISHED (active) meanwhile.
  const held = lab.topo.start('client', 'curl', [
    '-sS',
    '--max-time',
    '10',
    `http://${VIP}/hold?ms=6000`,
  ]);
  await until(() => uvsadmOk(lab, ['-Lnc']).includes('ESTABLISHED'), {
    what: 'the held connection ESTABLISHED',
    timeoutMs: 5000,
  });
  const listing = uvsadmOk(lab, ['-Ln']);
  assert.match(listing, /192\.168\.20\.1:80\s+Masq\s+1\s+1\s+0/, 'S1 has one active connection');
  const pages = fetchPages(lab, 5);
  assert.deepEqual(pages, Array(5).fill(PAGE_S2));
  await new Promise((r) => held.child.once('exit', r));
  assert.equal(held.output().trim(), PAGE_S1, 'the held connection completes on S1');
});

test('port remap: VIP:80 reaches real servers listening on 8080', () => {
  lab.startWebServer('s1', 8080, 'S1 on 8080');
  lab.startWebServer('s2', 8080, 'S2 on 8080');
  lab.waitForPort('s1', 8080);
  lab.waitForPort('s2', 8080);
  uvsadmOk(lab, ['-C']);
  uvsadmOk(lab, ['-A', '-t', `${VIP}:80`, '-s', 'rr']);
  uvsadmOk(lab, ['-a', '-t', `${VIP}:80`, '-r', '192.168.20.1:8080', '-m']);
  uvsadmOk(lab, ['-a', '-t', `${VIP}:80`, '-r', '192.168.20.2:8080', '-m']);
  assert.deepEqual(fetchPages(lab, 4), ['S1 on 8080', 'S2 on 8080', 'S1 on 8080', 'S2 on 8080']);
  assert.match(uvsadmOk(lab, ['-Lnc']), /192\.168\.10\.23:80\s+192\.168\.20\.1:8080/);
});

test('UDP: datagrams to the VIP reach the echo servers and the answers come from the VIP', () => {
  lab.startUdpEcho('s1', 5353, 'S1');
  lab.startUdpEcho('s2', 5353, 'S2');
  lab.waitForPort('s1', 5353, 'udp');
  lab.waitForPort('s2', 5353, 'udp');
  uvsadmOk(lab, ['-A', '-u', `${VIP}:5353`, '-s', 'rr']);
  uvsadmOk(lab, ['-a', '-u', `${VIP}:5353`, '-r', '192.168.20.1:5353', '-m']);
  uvsadmOk(lab, ['-a', '-u', `${VIP}:5353`, '-r', '192.168.20.2:5353', '-m']);
  const answers = [1, 2, 3, 4].map((i) => {
    const r = lab.run('client', process.execPath, [UDP_ASK, VIP, '5353', `hello${i}`]);
    return r.code === 0 ? r.stdout : `FAIL ${r.stderr}`;
  });
  assert.deepEqual(answers, ['S1:hello1', 'S2:hello2', 'S1:hello3', 'S2:hello4']);
  assert.match(
    uvsadmOk(lab, ['-Lnc']),
    /UDP\s+0[45]:\d\d\s+UDP\s+192\.168\.10\.1:\d+\s+192\.168\.10\.23:5353\s+192\.168\.20\.[12]:5353/,
  );
});

test('a 10 MB download through the director arrives intact', () => {
  const n = 10 * 1024 * 1024;
  assert.equal(download(lab, `http://${VIP}/bytes?n=${n}`), lengthAndSha256(deterministicBytes(n)));
});

test('a real server unplugged: its share of new connections fails, the other keeps working', () => {
  uvsadmOk(lab, ['-C']);
  lab.configure();
  lab.topo.cable('s1', 'eth0', false);
  try {
    const pages = fetchPages(lab, 4, `http://${VIP}/`, 2);
    assert.deepEqual(pages, ['FAIL', PAGE_S2, 'FAIL', PAGE_S2]);
  } finally {
    lab.topo.cable('s1', 'eth0', true);
  }
  const pages = fetchPages(lab, 2);
  assert.deepEqual([...pages].sort(), [PAGE_S1, PAGE_S2], 'S1 serves again once plugged back');
});
