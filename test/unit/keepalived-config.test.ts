import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  parseKeepalivedText,
  readKeepalivedConfig,
} from '../../src/keepalived/config.js';

const corpus = (name: string): string =>
  fileURLToPath(new URL(`../../../test/keepalived/${name}`, import.meta.url));

test("the course's NAT maquette in keepalived.conf", () => {
  const c = readKeepalivedConfig(corpus('valid/course-nat.conf'));
  assert.equal(c.routerId, 'LVS_COURS');
  assert.deepEqual(c.warnings, []);
  const [vs] = c.virtualServers;
  assert.deepEqual(vs!.key, { kind: 'addr', ip: '192.168.10.23', port: 80 });
  assert.deepEqual(
    [vs!.scheduler, vs!.method, vs!.protocol, vs!.delayLoop, vs!.quorum],
    ['rr', 'NAT', 'tcp', 2, 1],
  );
  assert.equal(vs!.quorumDown, "/bin/sh -c 'echo down >> /tmp/quorum.log'");
  assert.deepEqual(vs!.sorryServer, { ip: '192.168.20.3', port: 80 });
  const [s1, s2] = vs!.realServers;
  assert.deepEqual(
    s1!.checkers.map((k) => [k.type, k.connectTimeout, k.retry, k.delayBeforeRetry, k.delayLoop]),
    [['HTTP_GET', 1, 1, 1, 2]],
  );
  assert.deepEqual(s1!.checkers[0]!.urls, [
    { path: '/', statusCode: 200, statusCodes: [[200, 200]] },
  ]);
  assert.equal(s2!.checkers[0]!.type, 'TCP_CHECK');
});

test('documented keepalived examples: include with globs, groups with ranges, fwmark, every checker', () => {
  const c = readKeepalivedConfig(corpus('valid/keepalived-doc.conf'));
  assert.deepEqual(
    c.virtualServers.map((v) => v.key),
    [
      { kind: 'addr', ip: '10.0.3.1', port: 53 },
      { kind: 'group', name: 'web' },
      { kind: 'fwmark', fwmark: 9 },
    ],
  );
  assert.equal(c.virtualServers[0]!.protocol, 'udp');
  assert.equal(c.virtualServers[0]!.realServers[0]!.weight, 2);
  assert.deepEqual(c.groups.get('web'), [
    { kind: 'addr', ip: '10.0.0.10', port: 80 },
    { kind: 'addr', ip: '10.0.0.11', port: 80 },
    { kind: 'addr', ip: '10.0.0.12', port: 80 },
    { kind: 'addr', ip: '10.0.0.20', port: 443 },
    { kind: 'fwmark', fwmark: 7 },
  ]);
  const web = c.virtualServers[1]!;
  assert.deepEqual(
    [web.method, web.persistenceTimeout, web.persistenceGranularity, web.alpha],
    ['DR', 600, '255.255.255.0', true],
  );
  const rs = web.realServers[0]!;
  assert.deepEqual(
    [rs.weight, rs.inhibitOnFailure, rs.notifyDown],
    [3, true, '/usr/local/bin/down.sh 10.0.1.1'],
  );
  assert.deepEqual(
    rs.checkers.map((k) => k.type),
    ['SSL_GET', 'SMTP_CHECK', 'MISC_CHECK'],
  );
  assert.equal(rs.port, 0, 'a DR real server of a mixed-port group has no port');
  assert.deepEqual(rs.checkers[0]!.urls, [
    { path: '/health', digest: '9b3a0c85a887a256d6939da88aabd8cd' },
    { path: '/ready', statusCode: 204, statusCodes: [[204, 204]] },
  ]);
  assert.equal(rs.checkers[0]!.retry, 2, 'nb_get_retry is the old name of retry');
  assert.deepEqual(
    [rs.checkers[2]!.miscPath, rs.checkers[2]!.miscTimeout, rs.checkers[2]!.miscDynamic],
    ['/usr/local/bin/check.sh 10.0.1.1', 5, true],
  );
  assert.deepEqual(c.virtualServers[2]!.schedFlags, ['sh-port']);
  assert.deepEqual(
    c.virtualServers[2]!.realServers[0]!.checkers.map((k) => k.type),
    ['PING_CHECK', 'DNS_CHECK', 'UDP_CHECK'],
  );
  assert.deepEqual(c.global.notificationEmail, ['admin@example.org']);
  assert.deepEqual(
    c.vrrp.instances.map((i) => [i.name, i.interface, i.virtualRouterId, i.initialState]),
    [['VI_1', 'eth0', 51, 'MASTER']],
  );
  // keepalived -t says the same of this file: only the deprecated nb_get_retry.
  assert.equal(c.warnings.length, 1, c.warnings.join('\n'));
  assert.match(
    c.warnings[0]!,
    /keepalived-doc\.conf:41: nb_get_retry is deprecated - please use 'retry'$/,
  );
});

const broken: [string, RegExp][] = [
  ['bad-kind.conf', /bad-kind\.conf:3: unknown lb_kind "NATT" \(expected NAT, DR or TUN\)$/],
  ['unclosed.conf', /unclosed\.conf:3: block opened here is never closed$/],
  ['bad-ip.conf', /bad-ip\.conf:2: real_server: "10\.0\.0\.300" is not an IPv4 address$/],
  ['bad-number.conf', /bad-number\.conf:2: delay_loop: "soon" is not a number of seconds$/],
  ['http-no-url.conf', /http-no-url\.conf:3: HTTP_GET needs at least one url/],
  ['stray-brace.conf', /stray-brace\.conf:1: unexpected "}" with no open block$/],
  ['missing-group.conf', /missing-group\.conf:1: virtual_server group "nothere" is not defined$/],
  ['missing-include.conf', /missing-include\.conf:1: include: no such file "missing-file\.conf"$/],
  ['bad-digest.conf', /bad-digest\.conf:6: digest "12345" is not an MD5 digest/],
];
for (const [file, re] of broken) {
  test(`broken config ${file} is refused with file:line and the reason`, () => {
    assert.throws(
      () => readKeepalivedConfig(corpus(`broken/${file}`)),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
    );
  });
}

test('unknown keywords are warnings with file:line; a brace may open on the next line', () => {
  const c = parseKeepalivedText(
    'virtual_server 10.0.0.1 80\n{\n  lb_algo rr\n  frobnicate yes\n  lb_kind NAT\n  protocol TCP\n' +
      '  real_server 10.0.0.2 80 {\n  }\n}\n',
    'k.conf',
  );
  assert.deepEqual(c.warnings, [
    'k.conf:4: unknown keyword "frobnicate" in virtual_server; ignored',
  ]);
  assert.equal(c.virtualServers[0]!.scheduler, 'rr');
});
