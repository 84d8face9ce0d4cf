// A spoofed SYN flood (hping3 --flood --rand-source: as fast as the client's namespace can send,
// bounded to 10 s) at the director with its default connection table: the table fills with
// half-open entries, drop_entry makes room for new connections (the oldest half-open entry it
// samples, so that a real client's handshake in progress is not the one to go), and a real
// client's 40 requests, started every 200 ms during the flood, all succeed (a SYN lost in the
// full receive ring is sent again by the client's TCP, as against any overloaded server); uvsd's
// memory does not grow past its table (it cannot: the table is fixed at start).
//
//   client (real requests + hping3) ── lan10 ── eth1 [director] eth2 ── lan20 ── S1, S2
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { DEFAULT_CONN_TABLE_SIZE } from '../../src/doc/uvsd-doc.js';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import { until } from '../helpers/poll.js';
import { counters, natLab } from './helpers/nat-lab.js';

const lab = natLab();
let uvsd: StartedProcess;
/** uvsd's default --conn-table-size. */
const TABLE = DEFAULT_CONN_TABLE_SIZE;

before(() => {
  lab.build();
  uvsd = lab.startDirector();
  lab.configure();
});

after(() => lab.destroy());

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** One GET through the VIP, as a child process: its page, or "FAIL …". */
function request(): Promise<string> {
  const curl = spawn('ip', [
    'netns',
    'exec',
    lab.ns('client'),
    'curl',
    '-sS',
    '--max-time',
    '15',
    'http://192.168.10.23/',
  ]);
  let out = '';
  let err = '';
  curl.stdout.on('data', (b: Buffer) => (out += b.toString()));
  curl.stderr.on('data', (b: Buffer) => (err += b.toString()));
  // 'close', not 'exit': the output is all read.
  return new Promise((resolve) =>
    curl.on('close', (code) => resolve(code === 0 ? out.trim() : `FAIL ${err.trim()}`)),
  );
}

test('during a spoofed SYN flood, 40 of 40 requests of a real client succeed and uvsd does not grow', async () => {
  const pid = uvsd.child.pid!;
  const rssBefore = rssKiB(pid);
  // Bounded in time (10 s); spoofed sources, to our VIP, as fast as hping3 can.
  const flood = spawn('ip', [
    'netns',
    'exec',
    lab.ns('client'),
    'timeout',
    '10',
    'hping3',
    '--flood',
    '--rand-source',
    '-S',
    '-p',
    '80',
    '-q',
    '192.168.10.23',
  ]);
  const floodDone = new Promise<void>((resolve) => flood.on('exit', () => resolve()));
  try {
    // The table fills first.
    await until(() => (counters(lab)['connections'] ?? 0) > TABLE - TABLE / 16, {
      what: 'the flood filling the connection table',
      timeoutMs: 9000,
      lastSeen: () => JSON.stringify(counters(lab)),
    });
    // 40 requests started while the flood goes on, each allowed 15 s (its SYN sent again after
    // 1, 3, 7 s… when the full ring lost it).
    const started = Date.now();
    const pending: Promise<string>[] = [];
    for (let k = 0; k < 40; k++) {
      pending.push(request());
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const startedWithin = Date.now() - started;
    const pages = await Promise.all(pending);
    const failed = pages.filter((p) => p !== PAGE_S1 && p !== PAGE_S2);
    assert.deepEqual(
      failed,
      [],
      `${failed.length} of 40 requests failed (${failed.join(' | ')}): ${JSON.stringify(counters(lab))}`,
    );
    const c = counters(lab);
    assert.ok(c['evicted']! > 0, `drop_entry made room: ${JSON.stringify(c)}`);
    assert.equal(c['drop.table_full'], 0);
    assert.ok(
      startedWithin < 10_000,
      `the requests were made during the flood (${startedWithin} ms)`,
    );
  } finally {
    flood.kill('SIGTERM');
    await floodDone;
  }
  const grewMiB = (rssKiB(pid) - rssBefore) / 1024;
  assert.ok(grewMiB < 300, `uvsd grew by ${grewMiB.toFixed(0)} MiB`);
});
