// mapShared(): a file in /dev/shm mapped as a SharedArrayBuffer, shared by worker threads
// (the buffer posted to one, the file mapped again in the other) and by another process, and
// still there for a process that maps it later, as a restarted uvsd will.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync, unlinkSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { mapShared } from '../../src/io/afpacket/native.js';
import { FIXTURES } from './fixtures/afpacket-netns.js';

const PATH = `/dev/shm/uvt${process.pid.toString(36)}-afpacket-shared`;
const BYTES = 1 << 16;
const WORKER = new URL('./fixtures/afpacket-shared-worker.js', import.meta.url);

after(() => {
  try {
    unlinkSync(PATH);
  } catch {
    // never created
  }
});

function runWorker(data: object): Promise<{ total: number; isShared: boolean }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: data });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

test('two worker threads, one given the buffer and one mapping the file, add up without loss', async () => {
  const sab = mapShared(PATH, BYTES);
  assert.ok(sab instanceof SharedArrayBuffer);
  assert.equal(sab.byteLength, BYTES);
  assert.equal(statSync(PATH).size, BYTES);
  const words = new Int32Array(sab);
  const adds = 200_000;
  const [posted, mapped] = await Promise.all([
    runWorker({ sab, bytes: BYTES, slot: 1, adds }),
    runWorker({ path: PATH, bytes: BYTES, slot: 2, adds }),
  ]);
  assert.ok(posted.isShared && mapped.isShared);
  assert.equal(Atomics.load(words, 0), 2 * adds);
  assert.equal(Atomics.load(words, 1), adds);
  assert.equal(Atomics.load(words, 2), adds);
});

test('another process sees the same memory, and its writes come back', () => {
  const words = new Int32Array(mapShared(PATH, BYTES));
  const out = execFileSync(
    process.execPath,
    [FIXTURES + 'afpacket-shared-worker.js', PATH, String(BYTES)],
    {
      encoding: 'utf8',
    },
  );
  assert.deepEqual(JSON.parse(out), [400_000, 200_000, 200_000, 0]);
  assert.equal(Atomics.load(words, 3), 0x5eed);
});

test('mapping again with more bytes grows the file and keeps its contents', () => {
  const grown = new Int32Array(mapShared(PATH, 2 * BYTES));
  assert.equal(statSync(PATH).size, 2 * BYTES);
  assert.equal(grown[0], 400_000);
  assert.equal(grown[3], 0x5eed);
  const smaller = mapShared(PATH, 4096);
  assert.equal(smaller.byteLength, 4096);
  assert.equal(statSync(PATH).size, 2 * BYTES, 'never shrunk');
});

test('a path that cannot be mapped gives an error naming it and the syscall', () => {
  assert.throws(
    () => mapShared('/nonexistent-dir/table', 4096),
    /cannot map "\/nonexistent-dir\/table": open: No such file or directory/,
  );
  assert.throws(() => mapShared(PATH, 0), /bytes must be an integer/);
  const dir = `${PATH}.d`;
  writeFileSync(dir, '');
  try {
    assert.throws(() => mapShared(`${dir}/x`, 4096), /cannot map .*: open: Not a directory/);
  } finally {
    unlinkSync(dir);
  }
});
