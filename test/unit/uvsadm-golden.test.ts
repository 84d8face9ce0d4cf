import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Director } from '../../src/daemon/director.js';
import { execute, type AsyncControl } from '../../src/ipvsadm/execute.js';
import { parseArgs } from '../../src/ipvsadm/parse-args.js';
import { EngineRig } from './fixtures/engine-rig.js';
import { CONNS, FWMARK_SERVICES, SERVICES } from './fixtures/fake-table.js';

// Golden files live in test/golden (this file runs from dist/test/unit).
const golden = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../../test/golden/${name}`, import.meta.url)), 'utf8');

const fixed: AsyncControl = {
  addService: async () => {},
  editService: async () => {},
  deleteService: async () => {},
  clear: async () => {},
  addDest: async () => {},
  editDest: async () => {},
  deleteDest: async () => {},
  zero: async () => {},
  setTimeouts: async () => {},
  timeouts: () => Promise.resolve({ tcp: 900, tcpFin: 120, udp: 300 }),
  services: () => Promise.resolve(SERVICES),
  connections: () => Promise.resolve(CONNS),
  connTableSize: () => Promise.resolve(4096),
};

async function run(argv: string[], control: AsyncControl = fixed, stdin = '') {
  return execute(parseArgs(argv), control, 'uvsadm', () => Promise.resolve(stdin));
}

const rows: { argv: string[]; file: string; services?: typeof SERVICES }[] = [
  { argv: ['-Ln'], file: 'list-numeric.txt' },
  { argv: ['-L', '-n', '--stats'], file: 'list-stats.txt' },
  { argv: ['-Ln', '--rate'], file: 'list-rate.txt' },
  { argv: ['-Ln', '--thresholds'], file: 'list-thresholds.txt' },
  { argv: ['-Lnc'], file: 'list-conns.txt' },
  { argv: ['-Sn'], file: 'save.txt' },
  { argv: ['-L', '--timeout'], file: 'timeout.txt' },
  { argv: ['-Ln', '--persistent-conn'], file: 'list-persistent-conn.txt' },
  { argv: ['-Ln', '--stats', '--exact'], file: 'list-stats-exact.txt' },
  { argv: ['-L'], file: 'list-names.txt' },
  { argv: ['-Ln'], file: 'list-fwmark.txt', services: FWMARK_SERVICES },
  { argv: ['-S', '-n'], file: 'save-fwmark.txt', services: FWMARK_SERVICES },
];
for (const r of rows) {
  test(`uvsadm ${r.argv.join(' ')} prints ipvsadm's format (${r.file})`, async () => {
    const services = r.services;
    const control: AsyncControl = services
      ? { ...fixed, services: () => Promise.resolve(services) }
      : fixed;
    const out = await run(r.argv, control);
    assert.equal(out.exitCode, 0);
    assert.equal(out.stdout, golden(r.file));
  });
}

test('without -n, ports are named from /etc/services (80 → http)', async () => {
  const out = await run(['-L']);
  assert.match(out.stdout, /^TCP {2}192\.168\.10\.23:http rr$/m);
});

/** An in-process director behind the AsyncControl interface. */
function liveControl(): { control: AsyncControl; director: Director } {
  const director = new EngineRig().director;
  const wrap =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): Promise<R> =>
      Promise.resolve(f(...a));
  const control: AsyncControl = {
    addService: wrap(director.addService.bind(director)),
    editService: wrap(director.editService.bind(director)),
    deleteService: wrap(director.deleteService.bind(director)),
    clear: wrap(director.clear.bind(director)),
    addDest: wrap(director.addDest.bind(director)),
    editDest: wrap(director.editDest.bind(director)),
    deleteDest: wrap(director.deleteDest.bind(director)),
    zero: wrap(director.zero.bind(director)),
    setTimeouts: wrap(director.setTimeouts.bind(director)),
    timeouts: wrap(director.timeouts.bind(director)),
    services: wrap(director.services.bind(director)),
    connections: wrap(director.connections.bind(director)),
    connTableSize: wrap(director.connTableSize.bind(director)),
  };
  return { control, director };
}

test('save → clear → restore gives back the same table', async () => {
  const { control } = liveControl();
  for (const line of [
    '-A -t 192.168.10.23:80 -s wrr',
    '-a -t 192.168.10.23:80 -r 192.168.20.1:8080 -m -w 3 -x 100 -y 50',
    '-a -t 192.168.10.23:80 -r 192.168.20.2:8080 -m -w 1',
    '-A -u 192.168.10.23:53 -s rr -p 600 -M 255.255.255.0',
    '-a -u 192.168.10.23:53 -r 192.168.20.2 -g',
  ]) {
    assert.equal((await run(line.split(' '), control)).exitCode, 0, line);
  }
  const saved = (await run(['-Sn'], control)).stdout;
  const listed = (await run(['-Ln'], control)).stdout;
  assert.equal((await run(['-C'], control)).exitCode, 0);
  assert.equal((await control.services()).length, 0);
  const restored = await run(['-R'], control, saved);
  assert.equal(restored.exitCode, 0, restored.stderr);
  assert.equal((await run(['-Sn'], control)).stdout, saved);
  assert.equal((await run(['-Ln'], control)).stdout, listed);
});

test('libipvs messages and exit status 255 for refused operations', async () => {
  const { control } = liveControl();
  await run(['-A', '-t', '10.0.0.1:80'], control);
  const cases: [string, string][] = [
    ['-A -t 10.0.0.1:80', 'Service already exists\n'],
    ['-D -t 10.0.0.2:80', 'No such service\n'],
    ['-a -t 10.0.0.2:80 -r 10.0.1.1', 'Service not defined\n'],
    ['-d -t 10.0.0.1:80 -r 10.0.1.1', 'No such destination\n'],
    ['-A -t 10.0.0.3:80 -s nope', 'Scheduler or persistence engine not found\n'],
  ];
  for (const [line, msg] of cases) {
    const out = await run(line.split(' '), control);
    assert.deepEqual({ code: out.exitCode, err: out.stderr }, { code: 255, err: msg }, line);
  }
});
