import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ConnTable } from '../../src/engine/conn-table.js';
import { EngineShared } from '../../src/engine/engine-shared.js';

function table(capacity = 1024): ConnTable {
  return EngineShared.create(capacity, 0).conns;
}

function add(
  t: ConnTable,
  proto: number,
  c: number,
  cp: number,
  v: number,
  vp: number,
  d: number,
  dp: number,
): number {
  const i = t.prepare(proto, c, cp, v, vp, d, dp, 0);
  if (i >= 0) t.publish(i);
  return i;
}

test('connections are found from both sides', () => {
  const t = table(8192);
  const ids: number[] = [];
  for (let k = 0; k < 5000; k++) {
    ids.push(
      add(t, 6, 0x0a000000 + k, 1024 + (k % 60000), 0xc0a80a17, 80, 0xc0a81401 + (k % 2), 8080),
    );
  }
  assert.equal(t.count, 5000);
  for (let k = 0; k < 5000; k += 7) {
    assert.equal(t.lookupIn(6, 0x0a000000 + k, 1024 + (k % 60000), 0xc0a80a17, 80), ids[k]);
    assert.equal(
      t.lookupOut(6, 0xc0a81401 + (k % 2), 8080, 0x0a000000 + k, 1024 + (k % 60000)),
      ids[k],
    );
  }
  assert.equal(t.lookupIn(17, 0x0a000000, 1024, 0xc0a80a17, 80), -1, 'protocol is part of the key');
});

test('unlinked connections are not found; their slots are reused once freed', () => {
  const t = table(16);
  const a = add(t, 6, 1, 1, 2, 80, 3, 80);
  const b = add(t, 6, 1, 2, 2, 80, 3, 80);
  t.unlink(a);
  assert.equal(t.lookupIn(6, 1, 1, 2, 80), -1);
  assert.equal(t.lookupOut(6, 3, 80, 1, 1), -1);
  assert.equal(t.lookupIn(6, 1, 2, 2, 80), b);
  t.free(a);
  assert.equal(add(t, 6, 9, 9, 2, 80, 3, 80), a, 'freed slot reused');
  assert.equal(t.count, 2);
});

test('the table is fixed in size: when full, a new connection is refused, nothing is lost', () => {
  const t = table(16);
  for (let k = 0; k < 16; k++) assert.ok(add(t, 6, k, 1, 2, 80, 3, 80) >= 0);
  assert.equal(add(t, 6, 99, 1, 2, 80, 3, 80), -1);
  for (let k = 0; k < 16; k++) assert.ok(t.lookupIn(6, k, 1, 2, 80) >= 0);
});

test('the hash is seeded at each start: two tables place the same key in different chains', () => {
  // Same keys, two tables: the order of a chain's entries differs when the seeds differ.
  const order = (t: ConnTable): number[] => {
    for (let k = 0; k < 64; k++) add(t, 6, k, 1, 2, 80, 3, 80);
    return Array.from({ length: 64 }, (_, k) => t.lookupIn(6, k, 1, 2, 80));
  };
  const t1 = table(64);
  const t2 = table(64);
  assert.deepEqual(order(t1), order(t2), 'slots are handed out in the same order');
  // Chains differ: some key's predecessor in its chain is different between the tables.
  const chains = (t: ConnTable): string =>
    Array.from({ length: 64 }, (_, k) => t.word(t.lookupIn(6, k, 1, 2, 80), 0)).join(',');
  assert.notEqual(chains(t1), chains(t2));
});

test('two workers inserting and looking up in one shared table at once lose nothing', async () => {
  const shared = EngineShared.create(1 << 16, 0);
  const src = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { pathToFileURL } = require('node:url');
    import(pathToFileURL(workerData.module).href).then(({ EngineShared }) => {
      const s = EngineShared.attach(workerData.handles, workerData.thread);
      const t = s.conns;
      let missing = 0;
      for (let k = 0; k < 20000; k++) {
        const c = (workerData.thread << 24) + k;
        const i = t.prepare(6, c, 1000 + (k & 1023), 0xc0a80a17, 80, 0xc0a81401, 80, 0);
        if (i < 0) { missing++; continue; }
        t.publish(i);
        if (t.lookupIn(6, c, 1000 + (k & 1023), 0xc0a80a17, 80) !== i) missing++;
      }
      parentPort.postMessage(missing);
    });`;
  const module = new URL('../../src/engine/engine-shared.js', import.meta.url).pathname;
  const run = (thread: number) =>
    new Promise<number>((resolve, reject) => {
      const w = new Worker(src, {
        eval: true,
        workerData: { module, handles: shared.handles, thread },
      });
      w.once('message', (m: number) => resolve(m));
      w.once('error', reject);
    });
  const missing = await Promise.all([run(1), run(2)]);
  assert.deepEqual(missing, [0, 0]);
  const t = shared.conns;
  assert.equal(t.count, 40000);
  for (const thread of [1, 2]) {
    for (let k = 0; k < 20000; k += 13) {
      assert.ok(
        t.lookupIn(6, (thread << 24) + k, 1000 + (k & 1023), 0xc0a80a17, 80) >= 0,
        `${thread}/${k}`,
      );
    }
  }
});
