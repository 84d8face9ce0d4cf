// uvsd's daemon pieces without a network: the namespace lock (and a holder killed with -9),
// the pid file, the rules store and their restore through uvsadm -R, the state dump, the log
// lines, the options, the inspector refusal, and the check boundary with the last resort.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigStore } from '../../src/daemon/config-store.js';
import { AlreadyRunningError, InstanceLock } from '../../src/daemon/instance-lock.js';
import { Logger, withContext } from '../../src/daemon/log.js';
import { parseDaemonOptions } from '../../src/daemon/options.js';
import { PidFile, PidFileError } from '../../src/daemon/pidfile.js';
import { SavedRules } from '../../src/daemon/saved-rules.js';
import { inspectorRefusal } from '../../src/daemon/signals.js';
import { formatStateDump } from '../../src/daemon/state-dump.js';
import { FwdMethod } from '../../src/engine/model.js';
import { runCheck } from '../../src/health/check-boundary.js';
import { EngineRig } from './fixtures/engine-rig.js';

const dir = mkdtempSync(join(tmpdir(), 'uvs-daemon-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const KEY = { kind: 'addr', proto: 'tcp', vip: '10.0.0.1', port: 80 } as const;
const DEST = {
  addr: '10.0.1.1',
  port: 8080,
  method: FwdMethod.Masq,
  weight: 2,
  upperThreshold: 0,
  lowerThreshold: 0,
};

function director(): EngineRig['director'] {
  return new EngineRig().director;
}

test('the namespace lock: a second holder is refused with the first pid; released, it is free', () => {
  const path = join(dir, 'a.lock');
  const first = InstanceLock.acquire(path, 4242);
  assert.throws(
    () => InstanceLock.acquire(path),
    (e: unknown) =>
      e instanceof AlreadyRunningError &&
      e.pid === 4242 &&
      e.message === 'already running in this network namespace, pid 4242',
  );
  first.release();
  InstanceLock.acquire(path).release();
});

test('the namespace lock dies with its holder, also with kill -9', async () => {
  const path = join(dir, 'b.lock');
  const lockUrl = new URL('../../src/daemon/instance-lock.js', import.meta.url).href;
  const holder = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { InstanceLock } = await import(${JSON.stringify(lockUrl)}); InstanceLock.acquire(${JSON.stringify(path)}); console.log('held'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
  assert.throws(() => InstanceLock.acquire(path), AlreadyRunningError);
  holder.kill('SIGKILL');
  await new Promise((r) => holder.once('exit', r));
  const lock = InstanceLock.acquire(path); // taken over: the kernel released the dead one's
  assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
  lock.release();
});

test('the pid file: written atomically, stale ones taken over, a live uvsd refused, removed only by its owner', async () => {
  const path = join(dir, 'uvsd.pid');
  writeFileSync(path, '999999999\n'); // no such process
  const mine = new PidFile(path, process.pid);
  mine.write();
  assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.tmp')),
    [],
  );
  // Another live uvsd named in it: refused.
  const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'fake-uvsd'], {
    stdio: 'ignore',
  });
  try {
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(path, `${other.pid}\n`);
    assert.throws(() => new PidFile(path, process.pid).write(), PidFileError);
    mine.remove();
    assert.ok(existsSync(path), 'not removed: it names another process');
  } finally {
    other.kill();
  }
  writeFileSync(path, `${process.pid}\n`);
  mine.remove();
  assert.ok(!existsSync(path));
});

test('the rules: saved on every change as uvsadm -S -n prints them, restored through -R', async () => {
  const store = new ConfigStore(join(dir, 'state', 'net-1', 'rules'));
  assert.equal(store.load(), undefined, 'nothing saved yet');
  const logs: string[] = [];
  const first = director();
  const saved = new SavedRules(store, first, (m) => logs.push(m)).watching();
  saved.addService({ key: KEY, scheduler: 'rr' });
  saved.addDest(KEY, DEST);
  saved.zero(); // not a rule change
  assert.equal(
    store.load(),
    '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 2\n',
  );
  assert.throws(() => saved.addService({ key: KEY, scheduler: 'rr' }), /exists/);
  const second = director();
  assert.equal(await new SavedRules(store, second, (m) => logs.push(m)).restore(), true);
  assert.deepEqual(
    second.services().map((s) => [s.scheduler, s.dests.map((d) => [d.addr, d.port, d.weight])]),
    [['rr', [['10.0.1.1', 8080, 2]]]],
  );
  assert.match(logs.join('\n'), /restored 2 rule\(s\) from .*net-1\/rules/);
  // A file that does not apply: logged with its line, the lines before it kept.
  store.save('-A -t 10.0.0.2:80 -s rr\n-A -t 10.0.0.3:80 -s nosuch\n');
  const third = director();
  assert.equal(await new SavedRules(store, third, (m) => logs.push(m)).restore(), false);
  assert.equal(third.services().length, 1);
  assert.match(logs.at(-1)!, /restoring .*rules stopped: .*/);
});

test('the state dump lists the table, the timeouts and each checker', () => {
  const d = director();
  d.addService({ key: KEY, scheduler: 'wlc' });
  d.addDest(KEY, DEST);
  const text = formatStateDump(
    d,
    {
      status: () => [
        {
          name: '10.0.0.1 80',
          quorumUp: true,
          realServers: [
            {
              addr: '10.0.1.1',
              port: 8080,
              weight: 2,
              up: false,
              checkers: [
                { type: 'TCP_CHECK', up: false, reason: 'TCP_CHECK 10.0.1.1:8080: ECONNREFUSED' },
              ],
            },
          ],
        },
      ],
    },
    new Date('2026-01-02T03:04:05Z'),
  );
  assert.match(text, /^------< uvsd state, pid \d+, 2026-01-02T03:04:05\.000Z >------$/m);
  assert.match(text, /^TCP {2}10\.0\.0\.1:80 wlc$/m);
  assert.match(text, /^Timeout \(tcp tcpfin udp\): 900 120 300$/m);
  assert.match(text, /^ virtual_server 10\.0\.0\.1 80: quorum up$/m);
  assert.match(text, /^ {3}real_server 10\.0\.1\.1 8080: DOWN, weight 2$/m);
  assert.match(text, /^ {5}TCP_CHECK: down \(TCP_CHECK 10\.0\.1\.1:8080: ECONNREFUSED\)$/m);
});

test('log lines: timestamped, named by their context, detail only with -D', () => {
  const lines: string[] = [];
  const at = new Date('2026-01-02T03:04:05.678Z');
  const quiet = new Logger({
    console: true,
    detail: false,
    write: (l) => lines.push(l),
    now: () => at,
  });
  withContext(quiet.info, 'virtual_server 10.0.0.1 80')('10.0.1.1:8080 DOWN');
  quiet.detail('hidden');
  new Logger({ console: true, detail: true, write: (l) => lines.push(l), now: () => at }).detail(
    'uvsd: shown',
  );
  assert.deepEqual(lines, [
    '2026-01-02T03:04:05.678Z uvsd: virtual_server 10.0.0.1 80: 10.0.1.1:8080 DOWN\n',
    '2026-01-02T03:04:05.678Z uvsd: shown\n',
  ]);
});

test("keepalived's options: -v, -t, -p, -l, -D, -S, --no-restore; a wrong facility is named", () => {
  const o = parseDaemonOptions(['-t', '-f', 'k.conf', '-p', '/run/u.pid', '-l', '-D', '-S', '3']);
  assert.deepEqual(
    [o.configTest, o.configFile, o.pidFile, o.logConsole, o.logDetail, o.logFacility, o.restore],
    [true, 'k.conf', '/run/u.pid', true, true, 19, true],
  );
  assert.equal(parseDaemonOptions(['-v']).version, true);
  assert.equal(parseDaemonOptions(['--verbose']).logDetail, true);
  assert.equal(parseDaemonOptions(['--log-facility', 'daemon']).logFacility, 3);
  assert.equal(parseDaemonOptions(['--no-restore']).restore, false);
  assert.throws(
    () => parseDaemonOptions(['-S', 'local9']),
    /-S\/--log-facility: unknown facility "local9"/,
  );
});

test('the inspector: asked for on the command line or in NODE_OPTIONS, uvsd refuses; --inspect-port alone is harmless', () => {
  assert.match(
    inspectorRefusal(['--inspect'], '') ?? '',
    /refusing to start with the Node inspector \(--inspect\)/,
  );
  assert.match(
    inspectorRefusal([], '--max-old-space-size=100 --inspect-brk=0.0.0.0:9229') ?? '',
    /--inspect-brk=0\.0\.0\.0:9229/,
  );
  assert.equal(inspectorRefusal([], '--inspect-port=9339'), undefined);
  assert.equal(inspectorRefusal([], ''), undefined);
});

test('a checker that throws or rejects fails its check, never more', async () => {
  const target = { ip: '10.0.0.9', port: 7, timeoutMs: 100 };
  const throws = await runCheck(
    {
      type: 'UDP_CHECK',
      check: () => {
        throw new RangeError('bad port');
      },
    },
    target,
  );
  assert.deepEqual(throws, { ok: false, reason: 'UDP_CHECK 10.0.0.9:7: bad port' });
  const rejects = await runCheck(
    {
      type: 'DNS_CHECK',
      check: () => Promise.reject(Object.assign(new Error('x'), { code: 'ENETUNREACH' })),
    },
    target,
  );
  assert.deepEqual(rejects, { ok: false, reason: 'DNS_CHECK 10.0.0.9:7: ENETUNREACH' });
});

const CHILD = fileURLToPath(new URL('./fixtures/last-resort-child.js', import.meta.url));

test('last resort: an exception thrown from a check callback fails that check and uvsd lives on; one from elsewhere exits 70', () => {
  const lines = (args: string[]) => {
    const r = spawnSync(process.execPath, [CHILD, ...args], { encoding: 'utf8', timeout: 10_000 });
    return {
      status: r.status,
      out: r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  };
  const inCheck = lines([]);
  assert.equal(inCheck.status, 0);
  assert.match(
    String(inCheck.out[0]!['log']),
    /^uvsd: UDP_CHECK 10\.250\.0\.1:53: uncaught exception in the checker, counted as a failed check: RangeError/,
  );
  assert.deepEqual(inCheck.out[1], {
    result: {
      ok: false,
      reason: 'UDP_CHECK 10.250.0.1:53: Port should be > 0 and < 65536. Received undefined.',
    },
  });
  assert.deepEqual(inCheck.out[2], { alive: true });
  const outside = lines(['outside']);
  assert.equal(outside.status, 70);
  assert.match(
    String(outside.out[2]!['log']),
    /^uvsd: fatal uncaught exception, exiting to restart from a clean state: Error: a bug in the control plane/,
  );
});
