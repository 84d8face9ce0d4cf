// A spoofed SYN flood (hping3 -i u40 --rand-source: about 10 000 SYN/s here, its timer being
// coarse; bounded to 10 s and 400 000 packets)
// at the director with a 32 768-entry table: the table fills with half-open entries in a few
// seconds, drop_entry makes room for new connections (unanswered SYNs first, the oldest first),
// and a real client's 40 requests, started every 100 ms while the flood goes on, all succeed;
// uvsd's memory does not grow past its table (it cannot: the table is fixed at start).
// The rate is what one forwarding thread keeps up with on a busy 2-core machine that also runs
// the flood: at hping3 --flood (about 200 000 SYN/s offered here, half of them lost in the full
// receive ring) about one real request in 200 fails, when all of its packets after the SYN are
// lost for longer than the table takes to turn over. What is tested is the defence against table
// exhaustion; the raw capacity is bench/'s.
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
/** A table the flood fills in a few seconds. */
const TABLE = 32768;

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
  // Spoofed sources, to our VIP, a SYN every 40 µs asked (about 100 µs got) for 10 s.
  const flood = spawn('ip', [
    'netns',
    'exec',
    lab.ns('client'),
    'timeout',
    '10',
    'hping3',
    '-i',
    'u40',
    '--rand-source',
    '-S',
    '-p',
    '80',
    '-c',
    '400000',
    '-q',
    '192.168.10.23',
  ]);
  const floodDone = new Promise<void>((resolve) => flood.on('exit', () => resolve()));
  try {
    // The table filled by the flood (in 1 to 6 s, depending on how busy the machine is).
    await until(() => (counters(lab)['connections'] ?? 0) > TABLE - TABLE / 16, {
      what: 'the flood filling the connection table',
      timeoutMs: 9000,
      lastSeen: () => JSON.stringify(counters(lab)),
    });
    // 40 requests started while the flood goes on (4 s), each allowed 15 s: a real client's TCP
    // sends its SYN again after 1, 3, 7 s when the full receive ring lost it.
    const pending: Promise<string>[] = [];
    for (let k = 0; k < 40; k++) {
      pending.push(request());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const floodingThroughout = flood.exitCode === null && flood.signalCode === null;
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
    assert.ok(floodingThroughout, 'the 40 requests were all started during the flood');
  } finally {
    flood.kill('SIGTERM');
    await floodDone;
  }
  const grewMiB = (rssKiB(pid) - rssBefore) / 1024;
  assert.ok(grewMiB < 300, `uvsd grew by ${grewMiB.toFixed(0)} MiB`);
});
