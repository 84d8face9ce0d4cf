// A million random and mutated frames through the engine, one fixed seed (bench/fuzz/): no
// exception, no frame sent outside its buffers, every kind of verdict reached, and the engine
// still forwards a plain request afterwards. bench/fuzz-engine.ts runs longer and other seeds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzEngine } from '../../bench/fuzz/engine-fuzz.js';

test('1 M fuzzed frames through the engine: nothing throws, and it still forwards', () => {
  const r = fuzzEngine(1_000_000, 0x5eed);
  assert.equal(r.stillForwards, true);
  for (const [verdict, n] of Object.entries(r.verdicts)) assert.ok(n > 1000, `${verdict}: ${n}`);
  assert.ok(r.sent > 1000, `${r.sent} frames sent`);
});
