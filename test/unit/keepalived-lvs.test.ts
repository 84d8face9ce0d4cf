// The virtual-server side's keyword tables: aliases read as their keyword, every table's
// errors with file:line, keepalived's whole-file checks of virtual servers as warnings, and
// the timings a checker inherits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseKeepalivedText } from '../../src/keepalived/config.js';
import type { KeepalivedConfig } from '../../src/keepalived/model.js';
import { schedulerNames } from '../../src/engine/schedulers/registry.js';

/** A virtual server around `body`, with what keepalived wants set unless the body sets it. */
const vs = (body: string, head = '10.0.0.1 80'): string => `virtual_server ${head} {\n${body}}\n`;
const complete = (body: string): string => vs(` lb_algo rr\n lb_kind NAT\n protocol TCP\n${body}`);
const rs = (body: string, head = '10.0.0.2 80'): string => ` real_server ${head} {\n${body} }\n`;

const read = (text: string): KeepalivedConfig => parseKeepalivedText(text, 'k.conf');

const aliases: [string, string, (c: KeepalivedConfig) => unknown][] = [
  ['lb_algo sh', 'lvs_sched sh', (c) => c.virtualServers[0]!.scheduler],
  ['lb_kind DR', 'lvs_method DR', (c) => c.virtualServers[0]!.method],
  ['lb_flags sh-port', 'sh-port', (c) => c.virtualServers[0]!.schedFlags],
];
for (const [older, newer, pick] of aliases) {
  test(`"${older}" reads as "${newer}"`, () => {
    const text = (k: string): string => vs(` protocol TCP\n ${k}\n${rs('')}`);
    assert.deepEqual(pick(read(text(older))), pick(read(text(newer))));
  });
}

test("the schedulers are the engine registry's", () => {
  for (const name of schedulerNames())
    assert.equal(
      read(complete(` lvs_sched ${name}\n${rs('')}`)).virtualServers[0]!.scheduler,
      name,
    );
});

const errors: { name: string; text: string; message: string }[] = [
  {
    name: 'an unknown scheduler',
    text: vs(' lb_algo fastest\n'),
    message: `k.conf:2: unknown lb_algo "fastest" (expected one of ${schedulerNames().join(', ')})`,
  },
  {
    name: 'SCTP',
    text: vs(' protocol SCTP\n'),
    message: 'k.conf:2: protocol SCTP is not supported by uvs (expected TCP or UDP)',
  },
  {
    name: 'a keyword without its value',
    text: vs(' delay_loop\n'),
    message: 'k.conf:2: delay_loop needs a value',
  },
  {
    name: 'a block where none belongs',
    text: vs(' lb_algo rr {\n }\n'),
    message: 'k.conf:2: lb_algo does not take a block',
  },
  {
    name: 'a real_server without its block',
    text: vs(' real_server 10.0.0.2 80\n'),
    message: 'k.conf:2: real_server needs a block { … }',
  },
  {
    name: 'a weight beyond 65535',
    text: complete(rs('  weight 70000\n')),
    message: 'k.conf:6: weight: "70000" is not a whole number from 0 to 65535',
  },
  {
    name: 'a quorum of 0',
    text: vs(' quorum 0\n'),
    message: 'k.conf:2: quorum: "0" is not a whole number from 1 to 4294967295',
  },
  {
    name: 'a netmask with holes',
    text: vs(' persistence_granularity 255.0.255.0\n'),
    message: 'k.conf:2: persistence_granularity: "255.0.255.0" is not a solid netmask',
  },
  {
    name: 'an unknown scheduler flag',
    text: vs(' lvs_flags sh-pot\n'),
    message: 'k.conf:2: unknown scheduler flag "sh-pot"',
  },
  {
    name: 'a status_code out of range',
    text: complete(rs('  HTTP_GET {\n   url {\n    path /\n    status_code 200-600\n   }\n  }\n')),
    message: 'k.conf:9: status_code: "200-600" is not a status code or range from 100 to 599',
  },
  {
    name: 'a url without path',
    text: complete(rs('  HTTP_GET {\n   url {\n    status_code 200\n   }\n  }\n')),
    message: 'k.conf:7: url needs a path',
  },
  {
    name: 'a MISC_CHECK without misc_path',
    text: complete(rs('  MISC_CHECK {\n  }\n')),
    message: 'k.conf:6: MISC_CHECK needs misc_path',
  },
  {
    name: 'an unknown DNS type',
    text: complete(rs('  DNS_CHECK {\n   type AXFR\n  }\n')),
    message: 'k.conf:7: unknown DNS type "AXFR"',
  },
  {
    name: 'an unknown forwarding method',
    text: vs(' lvs_method MASQ\n'),
    message: 'k.conf:2: unknown lvs_method "MASQ" (expected NAT, DR or TUN)',
  },
];

for (const e of errors) {
  test(`virtual servers: ${e.name} is refused with file:line`, () => {
    assert.throws(
      () => read(e.text),
      (err: unknown) => err instanceof ConfigError && err.message === e.message,
    );
  });
}

const warnings: { name: string; text: string; warnings: string[] }[] = [
  {
    name: 'a virtual server without real servers (dropped, as keepalived does)',
    text: complete(''),
    warnings: ['k.conf:1: Virtual server 10.0.0.1:80 has no real servers - ignoring'],
  },
  {
    name: 'no protocol, scheduler or method',
    text: vs(rs('')),
    warnings: [
      'k.conf:1: Virtual server 10.0.0.1:80: no protocol set; TCP used (keepalived 2.2 defaults to UDP)',
      "k.conf:1: Virtual server 10.0.0.1:80: no scheduler set, setting default 'wlc'",
      'k.conf:1: Virtual server 10.0.0.1:80: no forwarding method set, setting default NAT',
    ],
  },
  {
    name: "a quorum above the real servers' weight, a hysteresis at the quorum",
    text: complete(` quorum 5\n hysteresis 2\n${rs('  weight 2\n')}`),
    warnings: [
      'k.conf:1: Warning - quorum 5 for 10.0.0.1:80 exceeds total weight of real servers 2, reducing quorum to 2',
      'k.conf:1: Virtual server 10.0.0.1:80: hysteresis 2 >= quorum 2; setting hysteresis to 1',
    ],
  },
  {
    name: 'a DR real server on another port (reset)',
    text: vs(` lb_algo rr\n lb_kind DR\n protocol TCP\n${rs('', '10.0.0.2 8080')}`),
    warnings: [
      "k.conf:5: WARNING - virtual server 10.0.0.1:80 and real server 10.0.0.2:8080 ports don't match - resetting",
    ],
  },
  {
    name: 'a duplicated real server',
    text: complete(rs('') + rs('')),
    warnings: [
      'k.conf:7: VS 10.0.0.1:80: real server 10.0.0.2:80 is duplicated - removing second rs',
    ],
  },
  {
    name: 'the deprecated nb_get_retry',
    text: complete(rs('  HTTP_GET {\n   url {\n    path /\n   }\n   nb_get_retry 2\n  }\n')),
    warnings: ["k.conf:10: nb_get_retry is deprecated - please use 'retry'"],
  },
];

for (const w of warnings) {
  test(`virtual servers: keepalived's warning about ${w.name}`, () => {
    assert.deepEqual(read(w.text).warnings, w.warnings);
  });
}

test('what keepalived checks is corrected as keepalived corrects it', () => {
  const c = read(
    vs(
      ` lb_algo rr\n lb_kind DR\n protocol TCP\n quorum 5\n${rs('  weight 2\n', '10.0.0.2 8080')}`,
    ),
  );
  const [v] = c.virtualServers;
  assert.deepEqual([v!.quorum, v!.realServers[0]!.port], [2, 80]);
  const nat = read(complete(rs('', '10.0.0.2'))).virtualServers[0]!;
  assert.equal(
    nat.realServers[0]!.port,
    80,
    "a NAT real server without a port takes the service's",
  );
  const mark = read(vs(` lb_algo rr\n lb_kind DR\n${rs('', '10.0.0.2 80')}`, 'fwmark 5'));
  assert.equal(mark.virtualServers[0]!.realServers[0]!.port, 0);
});

test('checker timings: the checker, else its real server, else its virtual server, else keepalived', () => {
  const c = read(
    complete(
      ' delay_loop 10\n retry 4\n connect_timeout 7\n' +
        rs(
          '  delay_before_retry 2\n  TCP_CHECK {\n   retry 1\n  }\n  HTTP_GET {\n   url {\n    path /\n   }\n  }\n',
        ) +
        rs(
          '  SMTP_CHECK {\n   host {\n    connect_ip 10.0.0.7\n   }\n   host {\n    connect_port 2525\n   }\n  }\n',
          '10.0.0.3 25',
        ),
    ),
  );
  const [tcp, http] = c.virtualServers[0]!.realServers[0]!.checkers;
  assert.deepEqual(
    [tcp!.retry, tcp!.delayBeforeRetry, tcp!.connectTimeout, tcp!.delayLoop],
    [1, 2, 7, 10],
  );
  assert.deepEqual([http!.retry, http!.delayBeforeRetry], [4, 2]);
  const smtp = c.virtualServers[0]!.realServers[1]!.checkers;
  assert.deepEqual(
    smtp.map((k) => [k.type, k.connectIp, k.connectPort]),
    [
      ['SMTP_CHECK', '10.0.0.7', undefined],
      ['SMTP_CHECK', undefined, 2525],
    ],
    "one SMTP_CHECK per host block (keepalived's older form)",
  );
  const plain = read(complete(rs('  HTTP_GET {\n   url {\n    path /\n   }\n  }\n')));
  assert.equal(
    plain.virtualServers[0]!.realServers[0]!.checkers[0]!.delayBeforeRetry,
    3,
    'keepalived waits 3 s before retrying an HTTP_GET unless told otherwise',
  );
});

test('keywords keepalived has and uvs does not act on are notices, not warnings', () => {
  const c = read(
    complete(' persistence_engine sip\n' + rs('  TCP_CHECK {\n   bind_port 5000\n  }\n')),
  );
  assert.deepEqual(c.warnings, [
    'k.conf:5: persistence_engine is not supported by uvs; ignored',
    'k.conf:8: bind_port is not supported by uvs; ignored',
  ]);
  assert.deepEqual(
    c.diagnostics.map((d) => d.kind),
    ['notice', 'notice'],
  );
});
