// The Prometheus exposition of uvsd for a known table, byte for byte: every metric family,
// its help, labels and values, as a scraper reads them (test/golden/metrics.txt).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DirectorControl } from '../../src/control/director-control.js';
import { createMetricsRegistry } from '../../src/metrics/metrics.js';
import { FWMARK_SERVICES, SERVICES } from './fixtures/fake-table.js';

const GOLDEN = fileURLToPath(new URL('../../../test/golden/metrics.txt', import.meta.url));

const COUNTERS: Readonly<Record<string, number>> = {
  connections: 6,
  forwarded: 1200,
  replied: 3,
  not_ours: 40,
  frag_needed: 2,
  'drop.truncated': 5,
  'drop.no_dest': 1,
  port_unreachable: 2,
  evicted: 7,
  syn_retried: 4,
  'drop.first_syn': 9,
  connections_capacity: 262144,
  connection_table_bytes: 28_000_000,
  connection_table6_bytes: 42_000_000,
  'io.rxFrames': 1300,
  'io.txFrames': 1205,
  'io.rxBytes': 780_000,
  'io.txBytes': 720_000,
  'io.txErrors': 1,
  'io.rxTruncated': 0,
};

const unused = (): never => {
  throw new Error('not read by the metrics');
};

/** A director that only answers what the metrics read. */
const director: DirectorControl = {
  addService: unused,
  editService: unused,
  deleteService: unused,
  clear: unused,
  addDest: unused,
  editDest: unused,
  deleteDest: unused,
  zero: unused,
  setTimeouts: unused,
  timeouts: unused,
  services: () => [...SERVICES, ...FWMARK_SERVICES],
  connections: unused,
  connTableSize: unused,
  counters: () => COUNTERS,
};

test('a scrape of a known table prints every metric family as test/golden/metrics.txt', async () => {
  const text = await createMetricsRegistry(director).metrics();
  assert.equal(text, readFileSync(GOLDEN, 'utf8'));
});

test('a scrape reads the director again: a counter that grew is seen grown', async () => {
  let forwarded = 10;
  const registry = createMetricsRegistry({
    ...director,
    counters: () => ({ ...COUNTERS, forwarded }),
  });
  assert.match(await registry.metrics(), /^uvs_frames_total\{result="forwarded"\} 10$/m);
  forwarded = 25;
  assert.match(await registry.metrics(), /^uvs_frames_total\{result="forwarded"\} 25$/m);
});
