import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FwdMethod } from '../../src/engine/model.js';
import { UsageError } from '../../src/ipvsadm/command.js';
import { COMMAND_RULES, OPTION_NAMES } from '../../src/ipvsadm/option-table.js';
import { parseArgs } from '../../src/ipvsadm/parse-args.js';

test('every command rule covers every option group', () => {
  for (const [cmd, row] of Object.entries(COMMAND_RULES))
    assert.equal(row.length, OPTION_NAMES.length, cmd);
});

test("the course's commands parse as ipvsadm reads them", () => {
  assert.deepEqual(parseArgs(['-A', '-t', '192.168.10.23:80', '-s', 'rr']), {
    kind: 'add-service',
    spec: { key: { kind: 'addr', proto: 'tcp', vip: '192.168.10.23', port: 80 }, scheduler: 'rr' },
  });
  assert.deepEqual(
    parseArgs(['-a', '-t', '192.168.10.23:80', '-r', '192.168.20.1:80', '-m', '-w', '1']),
    {
      kind: 'add-server',
      key: { kind: 'addr', proto: 'tcp', vip: '192.168.10.23', port: 80 },
      dest: {
        addr: '192.168.20.1',
        port: 80,
        method: FwdMethod.Masq,
        weight: 1,
        upperThreshold: 0,
        lowerThreshold: 0,
      },
    },
  );
});

test('defaults: wlc, weight 1, direct routing keeping the virtual port, -p 300', () => {
  const a = parseArgs(['--add-service', '--tcp-service=10.0.0.1:http', '-p']);
  assert.deepEqual(a, {
    kind: 'add-service',
    spec: {
      key: { kind: 'addr', proto: 'tcp', vip: '10.0.0.1', port: 80 },
      scheduler: 'wlc',
      persistence: { timeout: 300, netmask: '255.255.255.255' },
    },
  });
  const d = parseArgs(['-a', '-t', '10.0.0.1:80', '-r', '10.0.1.1:8080']);
  assert.equal(d.kind === 'add-server' && d.dest.port, 80);
  assert.equal(d.kind === 'add-server' && d.dest.method, FwdMethod.Route);
});

test('clustered flags and list variants', () => {
  assert.equal(parseArgs(['-Lnc']).kind, 'list-connections');
  assert.equal(parseArgs(['-L', '--timeout']).kind, 'list-timeout');
  assert.deepEqual(parseArgs(['--set', '30', '0', '60']), {
    kind: 'set-timeout',
    timeouts: { tcp: 30, tcpFin: 0, udp: 60 },
  });
});

const bad: { argv: string[]; message: string; exit: number }[] = [
  {
    argv: ['-A', '-t', '10.0.0.1:80', '-r', '10.0.1.1'],
    message: "Illegal 'real-server' option with the 'add-service' command",
    exit: 2,
  },
  {
    argv: ['-a', '-t', '10.0.0.1:80'],
    message: "You need to supply the 'real-server' option for the 'add-server' command",
    exit: 2,
  },
  {
    argv: ['-A', '-t', 'nowhere:80'],
    message: 'illegal virtual server address[:port] specified',
    exit: 2,
  },
  {
    argv: ['-A', '-t', '10.0.0.1'],
    message: 'Zero port specified for non-persistent service',
    exit: 2,
  },
  {
    argv: ['-a', '-t', '10.0.0.1:80', '-r', '10.0.1.1', '-w', '70000'],
    message: 'illegal weight specified',
    exit: 2,
  },
  {
    argv: ['-A', '-t', '10.0.0.1:80', '-p', 'x1'],
    message: "invalid timeout value `x1' specified",
    exit: 2,
  },
  { argv: ['-A', '-t', '10.0.0.1:80', 'extra'], message: 'unexpected argument extra', exit: 2 },
  {
    argv: ['-A', '-t', '10.0.0.1:80', '-p', '0'],
    message: "invalid timeout value `0' specified",
    exit: 2,
  },
  { argv: ['-L', '-C'], message: 'multiple commands specified', exit: 2 },
  { argv: ['-L', '-n', '-n'], message: "multiple 'numeric' options specified", exit: 2 },
  { argv: ['-Lc', '--stats'], message: 'options conflicts in the list command', exit: 2 },
  {
    argv: ['-L', '-c', '--timeout'],
    message: "The option 'timeout' conflicts with the 'connection' option in the 'list' command",
    exit: 2,
  },
  { argv: ['--set', '1', '2'], message: '--set option requires 3 timeout values', exit: 2 },
  { argv: ['-f', '0'], message: '', exit: 255 },
  { argv: ['-A', '-f', '0'], message: "invalid fwmark value `0' specified", exit: 2 },
  { argv: ['-L', '--bogus'], message: '--bogus: unknown option', exit: 255 },
];
for (const b of bad) {
  test(`uvsadm ${b.argv.join(' ')} → exit ${b.exit}${b.message ? `: ${b.message}` : ''}`, () => {
    assert.throws(
      () => parseArgs(b.argv),
      (e: unknown) => e instanceof UsageError && e.message === b.message && e.exitCode === b.exit,
    );
  });
}
