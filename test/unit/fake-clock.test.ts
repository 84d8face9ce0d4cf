import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../src/clock/fake-clock.js';

test('fake clock: due timers fire in due order, each seeing its own due time', () => {
  const clock = new FakeClock(1000);
  const fired: [string, number][] = [];
  clock.setTimer(300, () => fired.push(['c', clock.now()]));
  clock.setTimer(100, () => fired.push(['a', clock.now()]));
  clock.setTimer(100, () => fired.push(['b', clock.now()]));
  clock.setTimer(500, () => fired.push(['late', clock.now()]));
  clock.advance(300);
  assert.deepEqual(fired, [
    ['a', 1100],
    ['b', 1100],
    ['c', 1300],
  ]);
  assert.equal(clock.now(), 1300);
  assert.equal(clock.pending, 1);
});

test('fake clock: a timer armed by a timer fires within the same advance when due', () => {
  const clock = new FakeClock();
  const fired: number[] = [];
  const tick = (): void => {
    fired.push(clock.now());
    if (fired.length < 5) clock.setTimer(1000, tick);
  };
  clock.setTimer(1000, tick);
  clock.advance(3500);
  assert.deepEqual(fired, [1000, 2000, 3000]);
  clock.advance(10_000);
  assert.deepEqual(fired, [1000, 2000, 3000, 4000, 5000]);
  assert.equal(clock.pending, 0);
});

test('fake clock: a cancelled timer never fires; cancelling twice or undefined is harmless', () => {
  const clock = new FakeClock();
  let n = 0;
  const id = clock.setTimer(10, () => n++);
  clock.cancel(id);
  clock.cancel(id);
  clock.cancel(undefined);
  clock.advance(100);
  assert.equal(n, 0);
});

test('fake clock: advanceAsync lets promise chains run between timers', async () => {
  const clock = new FakeClock();
  const seen: string[] = [];
  clock.setTimer(10, () => {
    void Promise.resolve()
      .then(() => Promise.resolve())
      .then(() => {
        seen.push(`resolved at ${clock.now()}`);
        clock.setTimer(10, () => seen.push(`second at ${clock.now()}`));
      });
  });
  await clock.advanceAsync(25);
  assert.deepEqual(seen, ['resolved at 10', 'second at 20']);
});
