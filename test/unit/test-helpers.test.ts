// The helpers other tests lean on: if they could not fail, neither could those tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { until } from '../helpers/poll.js';
import { SeededRandom } from '../helpers/seeded-random.js';

test('SeededRandom gives the same data for the same seed and other data for another', () => {
  const a = new SeededRandom(42);
  const b = new SeededRandom(42);
  assert.deepEqual(a.bytes(37), b.bytes(37));
  assert.deepEqual(
    Array.from({ length: 20 }, () => a.int(1000)),
    Array.from({ length: 20 }, () => b.int(1000)),
  );
  assert.notDeepEqual(new SeededRandom(43).bytes(37), new SeededRandom(42).bytes(37));
});

test('SeededRandom.int stays in [min, max) and reaches both ends', () => {
  const random = new SeededRandom(7);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const v = random.int(3, 9);
    assert.ok(Number.isInteger(v) && v >= 3 && v < 9, `${v}`);
    seen.add(v);
  }
  assert.deepEqual([...seen].sort(), [3, 4, 5, 6, 7, 8]);
  assert.throws(() => random.int(5, 5), RangeError);
});

test('until returns the first value the condition gives that is not undefined, null or false', async () => {
  let probes = 0;
  const got = await until(() => (++probes === 3 ? 'ready' : undefined), {
    what: 'ready',
    timeoutMs: 5000,
    intervalMs: 1,
  });
  assert.equal(got, 'ready');
  assert.equal(probes, 3);
});

test('until fails at its deadline naming what did not happen and what was last seen', async () => {
  const start = Date.now();
  await assert.rejects(
    until(() => false, {
      what: 'S1 removed',
      timeoutMs: 50,
      intervalMs: 10,
      lastSeen: () => 'S1 still listed',
    }),
    { message: 'S1 removed: did not happen within 50 ms; last seen:\nS1 still listed' },
  );
  assert.ok(Date.now() - start >= 50);
});

test('until lets an assertion thrown by the condition through', async () => {
  await assert.rejects(
    until(
      () => {
        throw new Error('S1 came back');
      },
      { what: 'two checks', timeoutMs: 1000 },
    ),
    /S1 came back/,
  );
});
