// RealServerMonitor driven by the fake clock: warmup, retry, delay_before_retry, delay_loop,
// alpha, and verdicts carried over a reload. No test sleeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../src/clock/fake-clock.js';
import type { CheckerSpec, RealServerSpec } from '../../src/keepalived/model.js';
import { RealServerMonitor, type MonitorEvent } from '../../src/health/real-server-monitor.js';
import { FakeCheckers, seededRandom } from './fixtures/fake-checkers.js';

const where = { file: 'test.conf', line: 1 };

function checker(over: Partial<CheckerSpec> = {}): CheckerSpec {
  return {
    type: 'TCP_CHECK',
    where,
    connectTimeout: 1,
    retry: 0,
    delayBeforeRetry: 1,
    warmup: 0,
    delayLoop: 5,
    urls: [],
    miscDynamic: false,
    ...over,
  };
}

function server(checkers: CheckerSpec[], ip = '10.0.0.1'): RealServerSpec {
  return {
    where,
    ip,
    port: 80,
    weight: 1,
    inhibitOnFailure: false,
    upperThreshold: 0,
    lowerThreshold: 0,
    checkers,
  };
}

function monitor(rs: RealServerSpec, alpha = false, random = seededRandom(1)) {
  const clock = new FakeClock();
  const checks = new FakeCheckers(clock);
  const events: (MonitorEvent & { at: number })[] = [];
  const m = new RealServerMonitor(
    rs,
    { alpha },
    (_m, e) => events.push({ ...e, at: clock.now() }),
    { clock, makeChecker: checks.make, random },
  );
  return { clock, checks, events, m };
}

test('the first check waits warmup × random (seeded), then one every delay_loop', async () => {
  const rnd = seededRandom(42);
  const expectedWarmup = 10_000 * seededRandom(42)();
  const { clock, checks, m } = monitor(server([checker({ warmup: 10, delayLoop: 5 })]), false, rnd);
  m.start();
  await clock.advanceAsync(30_000);
  const times = checks.times('10.0.0.1:80');
  assert.ok(expectedWarmup > 0 && expectedWarmup < 10_000);
  assert.deepEqual(
    times.map((t) => Math.round(t)),
    [0, 5000, 10_000, 15_000, 20_000]
      .map((t) => Math.round(expectedWarmup + t))
      .filter((t) => t <= 30_000),
  );
});

test('a failing check is retried `retry` times delay_before_retry apart before DOWN', async () => {
  const { clock, checks, events, m } = monitor(
    server([checker({ retry: 2, delayBeforeRetry: 1, delayLoop: 5 })]),
  );
  checks.down.add('10.0.0.1');
  m.start();
  await clock.advanceAsync(1999);
  assert.equal(events.length, 0, 'not DOWN before the last retry');
  await clock.advanceAsync(1);
  assert.deepEqual(checks.times('10.0.0.1:80'), [0, 1000, 2000]);
  assert.deepEqual(
    events.map((e) => [e.up, e.at]),
    [[false, 2000]],
  );
  // Next cycle: delay_loop after the verdict, with its own retries; no second DOWN event.
  await clock.advanceAsync(7000);
  assert.deepEqual(checks.times('10.0.0.1:80'), [0, 1000, 2000, 7000, 8000, 9000]);
  assert.equal(events.length, 1);
});

test('a check that passes on a retry keeps the server UP (no event)', async () => {
  const { clock, checks, events, m } = monitor(server([checker({ retry: 3 })]));
  checks.down.add('10.0.0.1');
  m.start();
  await clock.advanceAsync(1500); // attempts at 0 and 1000 failed
  checks.down.clear();
  await clock.advanceAsync(1000); // the retry at 2000 passes
  assert.deepEqual(checks.times('10.0.0.1:80'), [0, 1000, 2000]);
  assert.deepEqual(events, []);
  assert.equal(m.up, true);
});

test('without alpha a server starts UP; with alpha it starts DOWN until its checkers pass', async () => {
  const plain = monitor(server([checker()]));
  assert.equal(plain.m.up, true);
  const alpha = monitor(server([checker(), checker({ type: 'HTTP_GET' })]), true);
  assert.equal(alpha.m.up, false);
  alpha.m.start();
  await alpha.clock.advanceAsync(0);
  assert.deepEqual(
    alpha.events.map((e) => [e.up, e.at]),
    [[true, 0]],
    'UP once both checkers passed',
  );
});

test('every checker must pass: one failing checker of two takes the server DOWN, with its reason', async () => {
  const { clock, checks, events, m } = monitor(server([checker(), checker({ connectPort: 8080 })]));
  checks.down.add('10.0.0.1:8080');
  m.start();
  await clock.advanceAsync(0);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.up, false);
  assert.match(events[0]!.reason, /10\.0\.0\.1:8080 refused/);
});

test('stop() cancels every timer and ignores a result in flight; start() resumes', async () => {
  const { clock, checks, m } = monitor(server([checker({ delayLoop: 1 })]));
  m.start();
  await clock.advanceAsync(2500);
  assert.equal(checks.times('10.0.0.1:80').length, 3);
  m.stop();
  assert.equal(clock.pending, 0);
  await clock.advanceAsync(10_000);
  assert.equal(checks.times('10.0.0.1:80').length, 3);
  m.start();
  await clock.advanceAsync(1000);
  assert.equal(checks.times('10.0.0.1:80').length, 5);
});

test('a snapshot carries each checker verdict to a new monitor with the same checkers', async () => {
  const spec = server([checker(), checker({ type: 'HTTP_GET' })]);
  const first = monitor(spec);
  first.checks.down.add('10.0.0.1');
  first.m.start();
  await first.clock.advanceAsync(0);
  assert.equal(first.m.up, false);
  const snap = first.m.snapshot();
  // Same checkers (written elsewhere in the file): the DOWN verdict carries over.
  const moved = server([
    checker({ where: { file: 'test.conf', line: 40 } }),
    checker({ type: 'HTTP_GET' }),
  ]);
  const clock = new FakeClock();
  const carried = new RealServerMonitor(
    moved,
    { alpha: false },
    () => {},
    {
      clock,
      makeChecker: new FakeCheckers(clock).make,
      random: () => 0,
    },
    snap,
  );
  assert.equal(carried.up, false);
  // A checker of something else starts fresh (UP without alpha); the other one stays DOWN,
  // and new timings do not make a checker new.
  const edited = server([checker({ connectPort: 81 }), checker({ type: 'HTTP_GET', retry: 5 })]);
  const partly = new RealServerMonitor(
    edited,
    { alpha: false },
    () => {},
    {
      clock,
      makeChecker: new FakeCheckers(clock).make,
      random: () => 0,
    },
    snap,
  );
  assert.deepEqual(
    partly.snapshot().checkers.map(([, up]) => up),
    [true, false],
  );
  assert.equal(partly.up, false);
});

test('a checker that rejects counts as a failed check, not a crash', async () => {
  const clock = new FakeClock();
  const events: MonitorEvent[] = [];
  const m = new RealServerMonitor(
    server([checker()]),
    { alpha: false },
    (_m, e) => events.push(e),
    {
      clock,
      makeChecker: () => ({ type: 'TCP_CHECK', check: () => Promise.reject(new Error('boom')) }),
      random: () => 0,
    },
  );
  m.start();
  await clock.advanceAsync(0);
  assert.equal(events[0]?.up, false);
  assert.match(events[0].reason, /boom/);
});
