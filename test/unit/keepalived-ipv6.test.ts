// IPv6 in keepalived.conf: virtual and real servers, group ranges on the last group,
// prefixes, sorry servers, checkers over IPv6; good input with its model, bad input with
// its file:line message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  parseKeepalivedText,
  readKeepalivedConfig,
} from '../../src/keepalived/config.js';

const compat = (name: string): string =>
  fileURLToPath(new URL(`../../../test/keepalived/compat/${name}`, import.meta.url));

test('IPv6 virtual servers, groups, real servers and checkers read into the model', () => {
  const c = readKeepalivedConfig(compat('lvs-ipv6.conf'));
  assert.deepEqual(c.warnings, []);
  const web6 = c.groups.get('web6')!;
  assert.equal(web6.length, 16 + 4 + 1);
  assert.deepEqual(web6[0], { kind: 'addr', ip: '2001:db8::10', port: 80 });
  assert.deepEqual(web6[15], { kind: 'addr', ip: '2001:db8::1f', port: 80 });
  assert.deepEqual(
    web6.slice(16, 20).map((m) => m.ip),
    ['2001:db8:0:1::', '2001:db8:0:1::1', '2001:db8:0:1::2', '2001:db8:0:1::3'],
  );
  assert.deepEqual(web6[20], { kind: 'fwmark', fwmark: 3, family: 6 });
  const [group, nat, dns] = c.virtualServers;
  assert.deepEqual(
    [group!.method, group!.persistenceGranularity, group!.persistenceTimeout],
    ['DR', '64', 300],
  );
  const rs = group!.realServers[0]!;
  assert.deepEqual([rs.ip, rs.port, rs.weight], ['2001:db8::100', 0, 2]);
  const http = rs.checkers[0]!;
  assert.deepEqual(
    [http.connectIp, http.connectPort, http.bindto],
    ['2001:db8::100', 8080, '2001:db8::1'],
  );
  assert.deepEqual(http.urls, [
    {
      path: '/health',
      statusCodes: [
        [200, 299],
        [301, 301],
      ],
    },
  ]);
  assert.deepEqual(nat!.key, { kind: 'addr', ip: '2001:db8::1', port: 80 }, 'canonical text');
  assert.equal(nat!.family, 6);
  assert.deepEqual(nat!.sorryServer, { ip: '2001:db8::99', port: 8080 });
  assert.deepEqual(
    nat!.realServers.map((r) => [r.ip, r.port, r.checkers[0]!.type, r.checkers[0]!.bindto]),
    [
      ['2001:db8::11', 8080, 'TCP_CHECK', '2001:db8::1'],
      ['2001:db8::12', 8080, 'PING_CHECK', undefined],
    ],
  );
  assert.deepEqual([dns!.protocol, dns!.realServers[0]!.checkers[0]!.dnsType], ['udp', 'AAAA']);
});

/** A NAT TCP virtual server with `head` first and one real server around `rs`. */
const vs = (head: string, rs = 'real_server 2001:db8::2 80 {\n }'): string =>
  `virtual_server ${head} {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n ${rs}\n}\n`;

const errors: { name: string; text: string; message: string }[] = [
  {
    name: 'a malformed IPv6 virtual server',
    text: vs('2001:db8::g 80'),
    message: 'k.conf:1: virtual_server: "2001:db8::g" is not an IPv6 address',
  },
  {
    name: 'an IPv6 address with a zone',
    text: vs('2001:db8::1 80', 'real_server fe80::1%eth0 80 {\n }'),
    message: 'k.conf:5: real_server: "fe80::1%eth0" is not an IPv6 address',
  },
  {
    name: 'a group range whose end is below its start',
    text: 'virtual_server_group g {\n ae00::9-2 80\n}\n',
    message: 'k.conf:2: bad address range "ae00::9-2"',
  },
  {
    name: 'a group range end beyond a 16-bit group',
    text: 'virtual_server_group g {\n ae00::2-10000 80\n}\n',
    message: 'k.conf:2: "ae00::2-10000" is not an address or range in virtual_server_group',
  },
  {
    name: 'a group prefix with host bits',
    text: 'virtual_server_group g {\n 2001:db8::1/126 80\n}\n',
    message: 'k.conf:2: "2001:db8::1/126" has host bits set in virtual_server_group',
  },
  {
    name: 'a group range of more than 65536 addresses',
    text: 'virtual_server_group g {\n 2001:db8::/64 80\n}\n',
    message: 'k.conf:2: address range "2001:db8::/64" holds more than 65536 addresses',
  },
  {
    name: 'an IPv6 persistence granularity beyond 128',
    text: vs('2001:db8::1 80').replace('lb_algo rr', 'persistence_granularity 129\n lb_algo rr'),
    message: 'k.conf:2: persistence_granularity: "129" is not a whole number from 1 to 128',
  },
  {
    name: 'an IPv6 connect_ip that is not one',
    text: vs(
      '2001:db8::1 80',
      'real_server 2001:db8::2 80 {\n TCP_CHECK {\n connect_ip 2001:db8:::5\n }\n }',
    ),
    message: 'k.conf:7: connect_ip: "2001:db8:::5" is not an IPv6 address',
  },
];

for (const e of errors) {
  test(`IPv6: ${e.name} is refused with file:line`, () => {
    assert.throws(
      () => parseKeepalivedText(e.text, 'k.conf'),
      (err: unknown) => err instanceof ConfigError && err.message === e.message,
    );
  });
}

test("IPv6: a real or sorry server of the other family is skipped with keepalived's warning", () => {
  const c = parseKeepalivedText(
    vs(
      '2001:db8::1 80',
      'sorry_server 10.0.0.9 80\n real_server 10.0.0.2 80 {\n }\n real_server 2001:db8::2 80 {\n }',
    ),
    'k.conf',
  );
  assert.deepEqual(c.warnings, [
    "k.conf:1: sorry_server 10.0.0.9: address family differs from the virtual server's; skipped",
    "k.conf:6: real_server 10.0.0.2: address family differs from the virtual server's; skipped",
  ]);
  assert.deepEqual(
    c.virtualServers[0]!.realServers.map((r) => r.ip),
    ['2001:db8::2'],
  );
  assert.equal(c.virtualServers[0]!.sorryServer, undefined);
});

test('IPv6: a TUN real server may be of the other family (IPVS tunnels across families)', () => {
  const c = parseKeepalivedText(
    vs('2001:db8::1 80', 'real_server 10.0.0.2 80 {\n lvs_method TUN\n }'),
    'k.conf',
  );
  assert.deepEqual(c.warnings, []);
  assert.equal(c.virtualServers[0]!.realServers[0]!.method, 'TUN');
});
