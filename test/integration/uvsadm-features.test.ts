// ipvsadm's features through the real director on the NAT maquette: source hashing and
// Maglev keep each client on one server, persistence binds two client addresses to their
// servers (templates in -Lc), and a Prometheus scrape agrees with `uvsadm -Ln --stats`.
//
//   client 192.168.10.1 + .11…14 ── lan10 ── eth1 [director] eth2 ── lan20 ── S1, S2
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import { natLab, pageFrom, uvsadmOk } from './helpers/nat-lab.js';

const VIP = '192.168.10.23';
const CLIENTS = ['192.168.10.11', '192.168.10.12', '192.168.10.13', '192.168.10.14'];
const lab = natLab();

function service(scheduler: string, extra: string[] = []): void {
  uvsadmOk(lab, ['-C']);
  uvsadmOk(lab, ['-A', '-t', `${VIP}:80`, '-s', scheduler, ...extra]);
  uvsadmOk(lab, ['-a', '-t', `${VIP}:80`, '-r', '192.168.20.1:80', '-m']);
  uvsadmOk(lab, ['-a', '-t', `${VIP}:80`, '-r', '192.168.20.2:80', '-m']);
}

before(() => {
  lab.build();
  for (const a of CLIENTS) lab.run('client', 'ip', ['addr', 'add', `${a}/24`, 'dev', 'eth0']);
  lab.startDirector(['--metrics', '127.0.0.1:9101']);
});

after(() => lab.destroy());

for (const scheduler of ['sh', 'mh']) {
  test(`${scheduler}: each client address always reaches the same server, and both servers serve`, () => {
    service(scheduler);
    const first = CLIENTS.map((c) => pageFrom(lab, c));
    const again = CLIENTS.map((c) => pageFrom(lab, c));
    assert.deepEqual(again, first);
    assert.ok(!first.includes('FAIL'));
    // These fixed addresses hash onto both servers (deterministic for a given table).
    assert.ok(first.includes(PAGE_S1) && first.includes(PAGE_S2), first.join(' | '));
  });
}

test('persistence (-p 60): two client addresses each stay on their server; templates show in -Lnc', () => {
  service('rr', ['-p', '60']);
  const a = [1, 2, 3].map(() => pageFrom(lab, CLIENTS[0]!));
  const b = [1, 2, 3].map(() => pageFrom(lab, CLIENTS[1]!));
  assert.deepEqual(a, [PAGE_S1, PAGE_S1, PAGE_S1]);
  assert.deepEqual(b, [PAGE_S2, PAGE_S2, PAGE_S2]);
  const conns = uvsadmOk(lab, ['-Lnc']);
  assert.match(
    conns,
    /^TCP 0[01]:\d\d {2}NONE {8}192\.168\.10\.11:0 +192\.168\.10\.23:80 +192\.168\.20\.1:80$/m,
  );
  assert.match(
    conns,
    /^TCP 0[01]:\d\d {2}NONE {8}192\.168\.10\.12:0 +192\.168\.10\.23:80 +192\.168\.20\.2:80$/m,
  );
  assert.match(uvsadmOk(lab, ['-Ln']), /^TCP {2}192\.168\.10\.23:80 rr persistent 60$/m);
  assert.match(uvsadmOk(lab, ['-Ln', '--persistent-conn']), /-> 192\.168\.20\.1:80 +1 +1 +/);
});

test('a /metrics scrape agrees with uvsadm -Ln --stats', () => {
  service('rr');
  for (let k = 0; k < 6; k++) pageFrom(lab, '192.168.10.1');
  const stats = uvsadmOk(lab, ['-Ln', '--stats', '--exact']);
  const scrape = lab.run('director', 'curl', [
    '-sS',
    '--max-time',
    '3',
    'http://127.0.0.1:9101/metrics',
  ]);
  assert.equal(scrape.code, 0, scrape.stderr);
  const m = /^TCP {2}192\.168\.10\.23:80\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/m.exec(stats);
  assert.ok(m, stats);
  const metric = (name: string, labels: string): number => {
    const line = scrape.stdout
      .split('\n')
      .find(
        (l) =>
          (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) &&
          labels.split(',').every((x) => l.includes(x)),
      );
    assert.ok(line, `${name}{${labels}} in the scrape`);
    return Number(line.split(' ').pop());
  };
  const svc = 'vip="192.168.10.23",port="80"';
  assert.equal(metric('uvs_service_connections_total', svc), Number(m[1]));
  assert.equal(metric('uvs_service_packets_total', `${svc},direction="in"`), Number(m[2]));
  assert.equal(metric('uvs_service_packets_total', `${svc},direction="out"`), Number(m[3]));
  assert.equal(metric('uvs_service_bytes_total', `${svc},direction="in"`), Number(m[4]));
  assert.equal(metric('uvs_service_bytes_total', `${svc},direction="out"`), Number(m[5]));
  assert.equal(Number(m[1]), 6);
  assert.ok(metric('uvs_frames_total', 'result="forwarded"') >= Number(m[2]) + Number(m[3]));
  assert.ok(metric('uvs_connection_table_entries', '') >= 6);
});

test('firewall-mark service: an nftables mark groups ports 80 and 8080; with -p a client keeps one server for both', () => {
  lab.startWebServer('s1', 8080, PAGE_S1);
  lab.startWebServer('s2', 8080, PAGE_S2);
  lab.waitForPort('s1', 8080);
  lab.waitForPort('s2', 8080);
  // The mark, as `iptables -t mangle -A PREROUTING … -j MARK --set-mark 1` would set it.
  const mangle =
    'table ip mangle {\n  chain pre {\n    type filter hook prerouting priority -150;\n    ip daddr 192.168.10.23 tcp dport { 80, 8080 } meta mark set 1\n  }\n}\n';
  assert.equal(lab.run('director', 'nft', ['-f', '-'], mangle).code, 0);
  uvsadmOk(lab, ['-C']);
  uvsadmOk(lab, ['-A', '-f', '1', '-s', 'rr']);
  uvsadmOk(lab, ['-a', '-f', '1', '-r', '192.168.20.1', '-m']);
  uvsadmOk(lab, ['-a', '-f', '1', '-r', '192.168.20.2', '-m']);
  const pageOf = (addr: string, port: number): string =>
    pageFrom(lab, addr, `http://${VIP}:${port}/`);
  assert.deepEqual(
    [
      pageOf(CLIENTS[2]!, 80),
      pageOf(CLIENTS[2]!, 8080),
      pageOf(CLIENTS[2]!, 80),
      pageOf(CLIENTS[2]!, 8080),
    ],
    [PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2],
  );
  assert.match(uvsadmOk(lab, ['-Ln']), /^FWM {2}1 rr\n {2}-> 192\.168\.20\.1:0 {15}Masq /m);

  uvsadmOk(lab, ['-E', '-f', '1', '-s', 'rr', '-p', '60']);
  const a = [pageOf(CLIENTS[2]!, 80), pageOf(CLIENTS[2]!, 8080), pageOf(CLIENTS[2]!, 80)];
  const b = [pageOf(CLIENTS[3]!, 8080), pageOf(CLIENTS[3]!, 80)];
  assert.equal(new Set(a).size, 1, `one server for both ports: ${a.join(' | ')}`);
  assert.equal(new Set(b).size, 1, `one server for both ports: ${b.join(' | ')}`);
  assert.notEqual(a[0], b[0]);
  assert.match(
    uvsadmOk(lab, ['-Lnc']),
    /^IP {2}0[01]:\d\d {2}NONE {8}192\.168\.10\.13:0 +0\.0\.0\.1:0 +192\.168\.20\.[12]:0$/m,
  );
  lab.run('director', 'nft', ['delete', 'table', 'ip', 'mangle']);
});
