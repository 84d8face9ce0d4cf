import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createScheduler, schedulerNames } from '../../src/engine/schedulers/registry.js';
import { privateSchedState } from '../../src/engine/schedulers/sched-state.js';
import { flowOf, newScheduler, SchedRig } from './fixtures/sched-rig.js';
import type { LiveDest } from '../../src/engine/live-dest.js';

const flow = flowOf({ proto: 6, srcAddr: 1, srcPort: 1, dstAddr: 2, dstPort: 80, now: 0 });

const rig = new SchedRig();
const dests = (weights: number[]): LiveDest[] => rig.dests(weights);

function distribution(name: string, weights: number[], n: number): number[] {
  const s = newScheduler(name);
  const ds = dests(weights);
  s.destsChanged(ds);
  const counts = ds.map(() => 0);
  for (let k = 0; k < n; k++) {
    const d = s.schedule(ds, flow);
    if (d) counts[d.id]!++;
  }
  return counts;
}

test('the registry knows every IPVS scheduler by its ipvsadm name', () => {
  assert.deepEqual(schedulerNames().sort(), [
    'dh',
    'fo',
    'lblc',
    'lblcr',
    'lc',
    'mh',
    'nq',
    'ovf',
    'rr',
    'sed',
    'sh',
    'twos',
    'wlc',
    'wrr',
  ]);
  assert.equal(createScheduler('nope', [], privateSchedState()), undefined);
});

const rows = [
  { name: 'rr', weights: [1, 1, 1], n: 30, expect: [10, 10, 10] },
  { name: 'rr', weights: [5, 0, 1], n: 20, expect: [10, 0, 10] },
  { name: 'wrr', weights: [3, 1], n: 40, expect: [30, 10] },
  { name: 'wrr', weights: [4, 2, 0], n: 60, expect: [40, 20, 0] },
  { name: 'wrr', weights: [0, 0], n: 10, expect: [0, 0] },
];
for (const r of rows) {
  test(`${r.name} with weights ${r.weights.join(':')} spreads ${r.n} connections as ${r.expect.join(':')}`, () => {
    assert.deepEqual(distribution(r.name, r.weights, r.n), r.expect);
  });
}

test('wlc picks the smallest connections/weight; lc ignores weights but skips weight 0', () => {
  const ds = dests([1, 3, 0]);
  rig.setActive(ds[0]!, 1); // overhead 256
  rig.setActive(ds[1]!, 2); // overhead 512, per weight 170
  const wlc = newScheduler('wlc');
  const lc = newScheduler('lc');
  assert.equal(wlc.schedule(ds, flow), ds[1]);
  assert.equal(lc.schedule(ds, flow), ds[0]);
  rig.setWeight(ds[0]!, 0);
  rig.setWeight(ds[1]!, 0);
  assert.equal(wlc.schedule(ds, flow), undefined);
  assert.equal(lc.schedule(ds, flow), undefined);
});

test('an overloaded server (-x reached) takes no new connection until below -y', () => {
  const [d] = dests([1]);
  rig.setThresholds(d!, 2, 1);
  rig.setActive(d!, 2);
  d!.updateOverload();
  assert.equal(newScheduler('rr').schedule([d!], flow), undefined);
  rig.setActive(d!, 1);
  d!.updateOverload();
  assert.equal(rig.overloaded(d!), true, 'still overloaded at the lower threshold');
  rig.setActive(d!, 0);
  d!.updateOverload();
  assert.equal(newScheduler('rr').schedule([d!], flow), d);
});
