// keepalived.conf's line level: comments, @id lines, $definitions, ~SEQ/~LST, includes,
// quoted strings; good input with what it reads as, bad input with its file:line message.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  parseKeepalivedText,
  readKeepalivedConfig,
} from '../../src/keepalived/config.js';
import { lexConfigText } from '../../src/keepalived/lexer.js';
import { expandGlob } from '../../src/keepalived/glob.js';
import { splitQuotedEscaped } from '../../src/keepalived/script-reader.js';

const compat = (name: string): string =>
  fileURLToPath(new URL(`../../../test/keepalived/compat/${name}`, import.meta.url));

/** The lines keepalived would read from `text` (split at braces): words joined by a space. */
function lines(text: string, configId = 'uvs'): string[] {
  const out: string[] = [];
  let brace = true;
  for (const t of lexConfigText(text, 'k.conf', { configId })) {
    if (t.lineStart || t.brace || brace) out.push(t.text);
    else out[out.length - 1] += ` ${t.text}`;
    brace = t.brace;
  }
  return out;
}

const good: { name: string; text: string; expect: string[] }[] = [
  { name: '# and ! comments, also after words', text: 'a b # c\n! d\ne ! f', expect: ['a b', 'e'] },
  { name: '\\# and \\! are the characters', text: 'a \\#1 \\!2', expect: ['a #1 !2'] },
  { name: 'a # inside quotes is text', text: 'a "b # c"', expect: ['a b # c'] },
  { name: 'braces split lines', text: 'a { b 1 } c', expect: ['a', '{', 'b 1', '}', 'c'] },
  { name: '@id lines kept for that id', text: '@uvs a\n@other b\nc', expect: ['a', 'c'] },
  { name: '@^id lines kept for other ids', text: '@^uvs a\n@^other b', expect: ['b'] },
  { name: '$NAME and ${NAME}', text: '$A=1\n$B=x y\nk $A ${B}z', expect: ['k 1 x yz'] },
  { name: '$NAME only as a whole word', text: '$A=1\nk $Ab $A,', expect: ['k $Ab 1,'] },
  { name: 'a definition may use another', text: '$A=1\n$B=$A 2\nk $B', expect: ['k 1 2'] },
  { name: 'redefinition', text: '$A=1\nk $A\n$A=2\nk $A', expect: ['k 1', 'k 2'] },
  {
    name: 'multiline definition',
    text: '$M=a { \\\n  b 1 \\\n}\nk\n$M',
    expect: ['k', 'a', '{', 'b 1', '}'],
  },
  { name: 'built-ins', text: 'k ${_INSTANCE} "${_HASH}${_BANG}"', expect: ['k uvs #!'] },
  { name: 'a # from a definition starts a comment', text: 'k ${_HASH} x', expect: ['k'] },
  { name: '~SEQ(var, end)', text: '~SEQ(i, 3) k $i', expect: ['k 1', 'k 2', 'k 3'] },
  { name: '~SEQ(var, start, end)', text: '~SEQ(i, 5, 3) k $i', expect: ['k 5', 'k 4', 'k 3'] },
  {
    name: '~SEQ(var, start, step, end)',
    text: '~SEQ(i, 0, 5, 10) k $i',
    expect: ['k 0', 'k 5', 'k 10'],
  },
  { name: '~SEQx in hex', text: '~SEQx(i, 9, 11) k $i', expect: ['k 9', 'k a', 'k b'] },
  {
    name: '~SEQ bounds from definitions',
    text: '$N=2\n~SEQ(i, 1, $N) k $i',
    expect: ['k 1', 'k 2'],
  },
  {
    name: 'nested ~SEQ',
    text: '~SEQ(i, 2) ~SEQ(j, 2) k ${i}${j}',
    expect: ['k 11', 'k 12', 'k 21', 'k 22'],
  },
  { name: '~LST of one variable', text: '~LST(v, a, b) k $v', expect: ['k a', 'k b'] },
  {
    name: '~LST of several',
    text: '~LST({a, b}, {1, 2}, {3}) k ${a}-${b}.',
    expect: ['k 1-2.', 'k 3-.'],
  },
];

for (const g of good) {
  test(`line level: ${g.name}`, () => assert.deepEqual(lines(g.text), g.expect));
}

test('${_RANDOM 10 20} is a number in that range', () => {
  const [line] = lines('k ${_RANDOM 10 20}');
  const n = Number(line!.split(' ')[1]);
  assert.ok(n >= 10 && n <= 20, line);
});

const bad: { name: string; text: string; message: string }[] = [
  { name: 'unterminated quote', text: 'a\nb "c', message: 'k.conf:2: unterminated quoted string' },
  { name: '~SEQ without bounds', text: '~SEQ(i) k', message: 'k.conf:1: invalid ~SEQ "~SEQ(i) k"' },
  {
    name: '~SEQ stepping away from its end',
    text: '\n~SEQ(i, 1, -1, 5) k',
    message: 'k.conf:2: invalid ~SEQ values "~SEQ(i, 1, -1, 5) k"',
  },
  {
    name: '~SEQx of negative numbers',
    text: '~SEQx(i, -2, 2) k',
    message: 'k.conf:1: ~SEQx is only for positive numbers: "~SEQx(i, -2, 2) k"',
  },
  {
    name: '~LST with too many values',
    text: '~LST({a}, {1, 2}) k',
    message: 'k.conf:1: ~LST has too many values: "~LST({a}, {1, 2}) k"',
  },
  {
    name: 'a definition that refers to itself',
    text: '$A=x $A\nk $A',
    message: 'k.conf:2: definitions refer to themselves',
  },
  {
    name: 'include without a name',
    text: 'include',
    message: 'k.conf:1: include needs a file name',
  },
];

for (const b of bad) {
  test(`line level refuses ${b.name} with file:line`, () => {
    assert.throws(
      () => lexConfigText(b.text, 'k.conf', { configId: 'uvs' }),
      (e: unknown) => e instanceof ConfigError && e.message === b.message,
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), 'uvs-kcf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('include variants, globs with {a,b}, definitions shared with included files', () => {
  writeFileSync(join(dir, 'a.conf'), 'virtual_server $VIP 80 {\n');
  writeFileSync(join(dir, 'b.conf'), '  lb_algo rr\n');
  writeFileSync(
    join(dir, 'c.inc'),
    '  lb_kind NAT\n  protocol TCP\n  real_server 10.0.0.2 80 {\n}\n}\n',
  );
  writeFileSync(
    join(dir, 'main.conf'),
    '$VIP=10.0.0.1\ninclude {a,b}.conf\nincluder c.*\nincludem none*.conf\n',
  );
  const c = readKeepalivedConfig(join(dir, 'main.conf'));
  assert.deepEqual(
    c.virtualServers.map((v) => [v.key, v.scheduler]),
    [[{ kind: 'addr', ip: '10.0.0.1', port: 80 }, 'rr']],
  );
  assert.deepEqual(expandGlob(join(dir, '{b,a}.conf')), [join(dir, 'b.conf'), join(dir, 'a.conf')]);
});

test('includew: a pattern that matches nothing is an error, with the including line', () => {
  writeFileSync(join(dir, 'w.conf'), '\nincludew nothing-*.conf\n');
  assert.throws(
    () => readKeepalivedConfig(join(dir, 'w.conf')),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message === `${join(dir, 'w.conf')}:2: includew: no file matches "nothing-*.conf"`,
  );
});

test('the compatibility corpus reads as keepalived reads it (config id uvs, then other)', () => {
  const c = readKeepalivedConfig(compat('preprocess.conf'), { configId: 'uvs' });
  assert.equal(c.routerId, 'uvs_80');
  const [web, six, tls] = c.virtualServers;
  assert.equal(web!.quorumUp, '/usr/local/sbin/uvs-absent-quorum up # not a comment');
  assert.deepEqual(
    web!.realServers.map((r) => [r.ip, r.weight]),
    [
      ['192.0.2.1', 5],
      ['192.0.2.2', 5],
      ['192.0.2.3', 5],
      ['192.0.2.31', 2],
      ['192.0.2.32', 3],
      ['192.0.2.20', 5],
    ],
  );
  assert.deepEqual(
    web!.realServers[5]!.checkers.map((k) => [k.type, k.connectTimeout]),
    [['TCP_CHECK', 3]],
  );
  assert.deepEqual(
    six!.realServers.map((r) => r.ip),
    ['2001:db8::a', '2001:db8::b', '2001:db8::c'],
  );
  assert.deepEqual(tls!.key, { kind: 'addr', ip: '192.0.2.10', port: 443 });
  const other = readKeepalivedConfig(compat('preprocess.conf'), { configId: 'other' });
  assert.deepEqual(
    other.virtualServers[0]!.realServers.map((r) => r.weight),
    [1, 1, 1, 2, 3, 1, 1],
    '@^uvs lines and @other lines apply on "other"',
  );
});

test('script lines split as keepalived splits them: quotes, single quotes, escapes', () => {
  assert.deepEqual(splitQuotedEscaped(`/bin/sh -c 'echo "a b"' x\\ y \\x41\\t`), [
    '/bin/sh',
    '-c',
    'echo "a b"',
    'x y',
    'A\t',
  ]);
  assert.equal(splitQuotedEscaped('"unbalanced'), undefined);
  const c = parseKeepalivedText(
    'vrrp_instance V {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n' +
      ' notify_master "/usr/bin/logger -t \'vrrp up\'" nobody nogroup\n}\n',
  );
  assert.deepEqual(c.vrrp.instances[0]!.notify.master, {
    argv: ['/usr/bin/logger', '-t', 'vrrp up'],
    text: "/usr/bin/logger -t 'vrrp up'",
    user: 'nobody',
    group: 'nogroup',
  });
});
