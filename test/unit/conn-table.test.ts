import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnTable } from '../../src/engine/conn-table.js';

test('connections are found from both sides and survive the table growing', () => {
  const t = new ConnTable(16);
  const ids: number[] = [];
  for (let k = 0; k < 5000; k++) {
    ids.push(
      t.add(6, 0x0a000000 + k, 1024 + (k % 60000), 0xc0a80a17, 80, 0xc0a81401 + (k % 2), 8080, 0),
    );
  }
  assert.equal(t.count, 5000);
  assert.ok(t.capacity >= 5000);
  for (let k = 0; k < 5000; k += 7) {
    assert.equal(t.lookupIn(6, 0x0a000000 + k, 1024 + (k % 60000), 0xc0a80a17, 80), ids[k]);
    assert.equal(
      t.lookupOut(6, 0xc0a81401 + (k % 2), 8080, 0x0a000000 + k, 1024 + (k % 60000)),
      ids[k],
    );
  }
  assert.equal(t.lookupIn(17, 0x0a000000, 1024, 0xc0a80a17, 80), -1, 'protocol is part of the key');
});

test('removed connections are not found and their slots are reused', () => {
  const t = new ConnTable(16);
  const a = t.add(6, 1, 1, 2, 80, 3, 80, 0);
  const b = t.add(6, 1, 2, 2, 80, 3, 80, 0);
  t.remove(a);
  assert.equal(t.lookupIn(6, 1, 1, 2, 80), -1);
  assert.equal(t.lookupOut(6, 3, 80, 1, 1), -1);
  assert.equal(t.lookupIn(6, 1, 2, 2, 80), b);
  assert.equal(t.add(6, 9, 9, 2, 80, 3, 80, 0), a, 'freed slot reused');
  assert.equal(t.count, 2);
});
