import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dest } from '../../src/engine/dest.js';
import { FwdMethod } from '../../src/engine/model.js';
import { createScheduler, schedulerNames } from '../../src/engine/schedulers/registry.js';

const flow = { proto: 6, srcAddr: 1, srcPort: 1, dstAddr: 2, dstPort: 80, now: 0 };

function dests(weights: number[]): Dest[] {
  return weights.map(
    (w, i) =>
      new Dest(i, 0xc0a81401 + i, {
        addr: '',
        port: 80,
        method: FwdMethod.Masq,
        weight: w,
        upperThreshold: 0,
        lowerThreshold: 0,
      }),
  );
}

function distribution(name: string, weights: number[], n: number): number[] {
  const s = createScheduler(name)!;
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
  assert.equal(createScheduler('nope'), undefined);
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
  ds[0]!.activeConns = 1; // overhead 256
  ds[1]!.activeConns = 2; // overhead 512, per weight 170
  const wlc = createScheduler('wlc')!;
  const lc = createScheduler('lc')!;
  assert.equal(wlc.schedule(ds, flow), ds[1]);
  assert.equal(lc.schedule(ds, flow), ds[0]);
  ds[0]!.weight = 0;
  ds[1]!.weight = 0;
  assert.equal(wlc.schedule(ds, flow), undefined);
  assert.equal(lc.schedule(ds, flow), undefined);
});

test('an overloaded server (-x reached) takes no new connection until below -y', () => {
  const [d] = dests([1]);
  d!.upperThreshold = 2;
  d!.lowerThreshold = 1;
  d!.activeConns = 2;
  d!.updateOverload();
  assert.equal(createScheduler('rr')!.schedule([d!], flow), undefined);
  d!.activeConns = 1;
  d!.updateOverload();
  assert.equal(d!.overloaded, true, 'still overloaded at the lower threshold');
  d!.activeConns = 0;
  d!.updateOverload();
  assert.equal(createScheduler('rr')!.schedule([d!], flow), d);
});
