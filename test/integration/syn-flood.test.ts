// A spoofed SYN flood (hping3 --rand-source at 10 000 SYN/s, bounded to 10 s) at the director: the fixed
// connection table fills with half-open entries, drop_entry makes room for new connections, and
// a real client's 40 requests made during the flood all succeed; uvsd's memory does not grow past
// its table (it cannot: the table is fixed at start). The rate fills the table in under two
// seconds yet stays within what one forwarding thread handles on a busy 2-core machine: what is
// tested is the defence against table exhaustion, not the raw capacity (bench/ measures that).
//
//   client (real requests + hping3) ── lan10 ── eth1 [director] eth2 ── lan20 ── S1, S2
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import { until } from '../helpers/poll.js';
import { counters, natLab } from './helpers/nat-lab.js';

const lab = natLab();
let uvsd: StartedProcess;
const TABLE = 16384;

before(() => {
  lab.build();
  uvsd = lab.startDirector(['--conn-table-size', String(TABLE)]);
  lab.configure();
});

after(() => lab.destroy());

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

test('during a spoofed SYN flood, 40 of 40 requests of a real client succeed and uvsd does not grow', async () => {
  const pid = uvsd.child.pid!;
  const rssBefore = rssKiB(pid);
  // Bounded in time (10 s), rate (one SYN per 100 µs) and count; spoofed sources, to our VIP.
  const flood = spawn('ip', [
    'netns',
    'exec',
    lab.ns('client'),
    'timeout',
    '10',
    'hping3',
    '-i',
    'u100',
    '--rand-source',
    '-S',
    '-p',
    '80',
    '-c',
    '100000',
    '-q',
    '192.168.10.23',
  ]);
  const floodDone = new Promise<void>((resolve) => flood.on('exit', () => resolve()));
  try {
    // The table fills first.
    await until(() => (counters(lab)['connections'] ?? 0) > TABLE - TABLE / 16, {
      what: 'the flood filling the connection table',
      timeoutMs: 8000,
      lastSeen: () => JSON.stringify(counters(lab)),
    });
    // A real client retries its SYN (1 s, 3 s…) as any TCP does: allowed 10 s per request.
    const pages: string[] = [];
    for (let k = 0; k < 40; k++) {
      const r = lab.run('client', 'curl', ['-sS', '--max-time', '10', 'http://192.168.10.23/']);
      pages.push(r.code === 0 ? r.stdout.trim() : `FAIL ${r.stderr.trim()}`);
    }
    const failed = pages.filter((p) => p !== PAGE_S1 && p !== PAGE_S2);
    assert.deepEqual(
      failed,
      [],
      `${failed.length} of 40 requests failed: ${JSON.stringify(counters(lab))}`,
    );
    const c = counters(lab);
    assert.ok(c['evicted']! > 0, `drop_entry made room: ${JSON.stringify(c)}`);
    assert.equal(c['drop.table_full'], 0);
  } finally {
    flood.kill('SIGTERM');
    await floodDone;
  }
  const grewMiB = (rssKiB(pid) - rssBefore) / 1024;
  assert.ok(grewMiB < 300, `uvsd grew by ${grewMiB.toFixed(0)} MiB`);
});
