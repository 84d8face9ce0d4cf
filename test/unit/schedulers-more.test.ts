import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateEstimator } from '../../src/engine/rate-estimator.js';
import { schedulerNames } from '../../src/engine/schedulers/registry.js';
import { Stat } from '../../src/engine/shared/thread-stats.js';
import { flowOf, newScheduler, SchedRig } from './fixtures/sched-rig.js';
import type { Scheduler } from '../../src/engine/schedulers/scheduler.js';
import type { FrameFields } from '../../src/engine/frame-fields.js';
import type { LiveDest } from '../../src/engine/live-dest.js';
import { TwosChoice } from '../../src/engine/schedulers/twos.js';

const rig = new SchedRig();
const dests = (weights: number[]): LiveDest[] => rig.dests(weights);

const flowFrom = (src: number, now = 0, dst = 0xc0a80a17): FrameFields =>
  flowOf({
    proto: 6,
    srcAddr: src >>> 0,
    srcPort: 1024 + (src % 60000),
    dstAddr: dst,
    dstPort: 80,
    now,
  });

/** Schedules `n` connections that stay open (active), returning the count per dest. */
function held(s: Scheduler, ds: LiveDest[], n: number): number[] {
  s.destsChanged(ds);
  const counts = ds.map(() => 0);
  for (let k = 0; k < n; k++) {
    const d = s.schedule(ds, flowFrom(k + 1));
    if (!d) break;
    rig.addActive(d, 1);
    counts[d.id]!++;
  }
  return counts;
}

test('fo sends everything to the available server of highest weight', () => {
  assert.deepEqual(held(newScheduler('fo'), dests([1, 3, 2]), 10), [0, 10, 0]);
});

test('ovf fills the highest weight up to its weight in active connections, then the next, then refuses', () => {
  assert.deepEqual(held(newScheduler('ovf'), dests([2, 3]), 10), [2, 3]);
});

test('sed spreads held connections in proportion to weights', () => {
  assert.deepEqual(held(newScheduler('sed'), dests([1, 2]), 30), [10, 20]);
});

test('nq gives each idle server a connection first, in order', () => {
  const ds = dests([1, 5, 1]);
  const s = newScheduler('nq');
  s.destsChanged(ds);
  const order: number[] = [];
  for (let k = 0; k < 3; k++) {
    const d = s.schedule(ds, flowFrom(k))!;
    rig.addActive(d, 1);
    order.push(d.id);
  }
  assert.deepEqual(order, [0, 1, 2]);
});

function spread(name: string, flags: string[], weights: number[], n: number): number[] {
  const s = newScheduler(name, flags);
  const ds = dests(weights);
  s.destsChanged(ds);
  const counts = ds.map(() => 0);
  for (let k = 0; k < n; k++) {
    const d = s.schedule(ds, flowFrom(Math.imul(k + 1, 2654435761)));
    if (d) counts[d.id]!++;
  }
  return counts;
}

for (const name of ['sh', 'mh']) {
  test(`${name}: a client keeps its server, and clients spread in proportion to weights (2:1 ±10%)`, () => {
    const s = newScheduler(name);
    const ds = dests([2, 1]);
    s.destsChanged(ds);
    for (let k = 0; k < 50; k++)
      assert.equal(s.schedule(ds, flowFrom(k * 7919)), s.schedule(ds, flowFrom(k * 7919)));
    const [a, b] = spread(name, [], [2, 1], 30000);
    assert.ok(Math.abs(a! / (a! + b!) - 2 / 3) < 0.1, `${a}:${b}`);
  });
}

test('mh: removing one of four servers moves only the clients it had (minimal disruption)', () => {
  const ds = dests([1, 1, 1, 1]);
  const s = newScheduler('mh');
  s.destsChanged(ds);
  const before = Array.from(
    { length: 5000 },
    (_, k) => s.schedule(ds, flowFrom(Math.imul(k + 1, 2654435761)))!.id,
  );
  const fewer = ds.slice(0, 3);
  s.destsChanged(fewer);
  let kept = 0;
  let stayed = 0;
  before.forEach((id, k) => {
    if (id === 3) return;
    kept++;
    if (s.schedule(fewer, flowFrom(Math.imul(k + 1, 2654435761)))!.id === id) stayed++;
  });
  assert.ok(stayed / kept > 0.9, `${stayed}/${kept} clients of the remaining servers kept theirs`);
});

test('sh without sh-fallback refuses a client whose server is quiescent; with it, the client goes elsewhere', () => {
  const ds = dests([1, 1]);
  const plain = newScheduler('sh');
  const fb = newScheduler('sh', ['sh-fallback']);
  plain.destsChanged(ds);
  fb.destsChanged(ds);
  const client = [...Array(100).keys()]
    .map((k) => flowFrom(k * 104729))
    .find((f) => plain.schedule(ds, f) === ds[0])!;
  rig.setWeight(ds[0]!, 0);
  assert.equal(plain.schedule(ds, client), undefined);
  assert.equal(fb.schedule(ds, client), ds[1]);
});

test('dh: a destination address keeps its server', () => {
  const ds = dests([1, 1, 1]);
  const s = newScheduler('dh');
  s.destsChanged(ds);
  const d1 = s.schedule(ds, flowFrom(1, 0, 0x0a000001));
  for (let k = 0; k < 20; k++) assert.equal(s.schedule(ds, flowFrom(k, 0, 0x0a000001)), d1);
});

test('lblc keeps a destination on its server until it is overloaded, then moves it', () => {
  const ds = dests([2, 2]);
  const s = newScheduler('lblc');
  s.destsChanged(ds);
  const first = s.schedule(ds, flowFrom(1))!;
  assert.equal(s.schedule(ds, flowFrom(2)), first);
  rig.setActive(first, 3); // more than its weight while the other is idle
  assert.notEqual(s.schedule(ds, flowFrom(3)), first);
});

test('lblcr adds the least loaded server to a destination set when its members are overloaded', () => {
  const ds = dests([2, 2]);
  const s = newScheduler('lblcr');
  s.destsChanged(ds);
  const first = s.schedule(ds, flowFrom(1))!;
  rig.setActive(first, 3);
  const second = s.schedule(ds, flowFrom(2))!;
  assert.notEqual(second, first);
  rig.setActive(second, 3);
  rig.setActive(first, 0);
  assert.equal(s.schedule(ds, flowFrom(3)), first, 'both are members now: the least loaded serves');
});

test('twos picks, of its two weighted draws, the one with fewer connections per weight', () => {
  const ds = dests([1, 1]);
  rig.setActive(ds[0]!, 5);
  const draws = [0.1, 0.9]; // first draw → dest 0, second → dest 1
  const s = new TwosChoice(() => draws.shift() ?? 0);
  assert.equal(s.schedule(ds), ds[1]);
});

// Every scheduler: a quiescent (weight 0) or removed server takes no new connection.
const FLAGS: Record<string, string[]> = { sh: ['sh-fallback'], mh: ['mh-fallback'] };
for (const name of schedulerNames()) {
  test(`${name}: no new connection for a server of weight 0, nor for a removed one`, () => {
    const s = newScheduler(name, FLAGS[name] ?? []);
    const ds = dests([1, 1, 1]);
    s.destsChanged(ds);
    rig.setWeight(ds[0]!, 0);
    s.destsChanged(ds);
    for (let k = 0; k < 200; k++)
      assert.notEqual(s.schedule(ds, flowFrom(Math.imul(k + 1, 2654435761), k)), ds[0]);
    const rest = ds.slice(1);
    rig.setWeight(rest[0]!, 1);
    s.destsChanged(rest);
    let some = 0;
    for (let k = 0; k < 200; k++) {
      const d = s.schedule(rest, flowFrom(Math.imul(k + 7, 2654435761), k));
      assert.ok(d === undefined || rest.includes(d));
      if (d) some++;
    }
    assert.ok(some > 0, 'the remaining servers take connections');
  });
}

test('rates are estimated every 2 s and smoothed as IPVS does (new = old + (sample - old) / 4)', () => {
  const r = new RateEstimator();
  const figures = new Float64Array(Stat.Words);
  r.restart(figures);
  figures[Stat.Conns] = 100;
  figures[Stat.InPkts] = 1000;
  r.sample(figures, 2000); // 50 conn/s sampled: first estimate 50/4
  assert.equal(r.rate().cps, 13);
  for (let k = 2; k <= 40; k++) {
    figures[Stat.Conns] = 100 * k;
    figures[Stat.InPkts] = 1000 * k;
    r.sample(figures, 2000);
  }
  assert.deepEqual([r.rate().cps, r.rate().inPps], [50, 500], 'converges on the steady rate');
});
