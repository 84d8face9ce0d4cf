// The bench's readings of uvsd under the profiler: self time per function within the load's
// window, garbage collections from --trace-gc, memory per connection from RSS around a fill.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeProfiles, type CpuProfile } from '../../bench/report/cpu-profile.js';
import { summarizeGcTrace } from '../../bench/report/gc-trace.js';
import { profileSection } from '../../bench/report/profile-section.js';
import { rssPerConnection } from '../../bench/workloads/memory.js';

const frame = (id: number, functionName: string, url = '', lineNumber = -1) => ({
  id,
  callFrame: { functionName, url, lineNumber },
});

/** Samples every 1 ms (sample i at i+1 ms, lasting to the next): 10 of start-up, then 10 of
 * send, 6 of process, 2 of GC, 3 idle (the last lasts 0: nothing follows). */
const PROFILE: CpuProfile = {
  nodes: [
    frame(1, '(root)'),
    frame(2, 'main', 'file:///repo/dist/src/bin/uvsd.js', 9),
    frame(3, 'send', 'file:///repo/dist/src/io/pcap-backend.js', 64),
    frame(4, 'process', 'file:///repo/dist/src/engine/engine.js', 119),
    frame(5, '(garbage collector)'),
    frame(6, '(idle)'),
  ],
  startTime: 0,
  endTime: 31_000,
  samples: [
    ...Array<number>(10).fill(2),
    ...Array<number>(10).fill(3),
    ...Array<number>(6).fill(4),
    5,
    5,
    6,
    6,
    6,
  ],
  timeDeltas: Array<number>(31).fill(1000),
};

test('self time per function within the window, busy share, idle apart', () => {
  const s = summarizeProfiles([PROFILE], 11, 31, 10);
  assert.equal(s.threads, 1);
  assert.deepEqual(
    s.rows.map((r) => [r.where, r.selfMs]),
    [
      ['send (src/io/pcap-backend.js:65)', 10],
      ['process (src/engine/engine.js:120)', 6],
      ['(garbage collector)', 2],
      ['(idle)', 2],
    ],
  );
  assert.equal(s.rows[0]!.share, 10 / 18);
  assert.equal(s.busy, 18 / 20);
  assert.deepEqual(s.busyPerThread, [0.9]);
  // Threads add up, each placed by its own start: a worker that started 10 ms after the main
  // thread has in the window its start-up (11-20 ms), its send (21-30) and one process.
  const worker = { ...PROFILE, startTime: 10_000 };
  const two = summarizeProfiles([worker, PROFILE], 11, 31, 1);
  assert.equal(two.threads, 2);
  assert.deepEqual(two.rows[0], {
    where: 'send (src/io/pcap-backend.js:65)',
    selfMs: 20,
    share: 20 / 39,
  });
  assert.deepEqual(two.busyPerThread, [0.9, 1]);
});

const TRACE = `uvsd: serving eth0, eth1 (io pcap), control socket /run/uvs/1.sock
[77:0x5f1e0a0]      900 ms: Scavenge 3.9 (4.2) -> 3.6 (5.2) MB, 0.80 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure;
[77:0x5f1e0a0]     1500 ms: Scavenge 4.3 (5.4) -> 4.0 (6.2) MB, 1.50 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure;
[77:0x5f1e0a0]     2500 ms: Mark-Compact 10.1 (12.3) -> 8.2 (12.0) MB, 5.10 / 0.00 ms  (+ 2.3 ms in 12 steps since start of marking, biggest step 0.5 ms, walltime since start of marking 15 ms) (average mu = 0.990, current mu = 0.990) finalize incremental marking via task; GC in old space requested
[77:0x5f1e0a0]     3000 ms: Mark-Compact (reduce) 8.3 (12.0) -> 8.1 (9.0) MB, 2.00 / 0.00 ms  (average mu = 0.990, current mu = 0.990) last resort;
[77:0x5f1e0a0]     9000 ms: Scavenge 5.0 (6.4) -> 4.7 (8.4) MB, 7.15 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure;
`;

test('--trace-gc: collections, pauses and heap in a slice of the output', () => {
  const slice = TRACE.split('\n').slice(2, 5).join('\n');
  assert.deepEqual(summarizeGcTrace(slice), {
    scavenges: 1,
    fullGcs: 2,
    pauseMs: 1.5 + 5.1 + 2,
    heapBeforeMB: 4.3,
    heapAfterMB: 8.1,
  });
  assert.deepEqual(summarizeGcTrace(TRACE.split('\n')[0]!), {
    scavenges: 0,
    fullGcs: 0,
    pauseMs: 0,
    heapBeforeMB: null,
    heapAfterMB: null,
  });
});

test('memory per connection from RSS: growth over the entries, none when the fill fell short', () => {
  const ok = rssPerConnection(100 * 1024, 300 * 1024, 1_048_576);
  assert.equal(ok.value, 200);
  assert.equal(ok.note, 'RSS 100 → 300 MiB for 1048576 entries');
  const short = rssPerConnection(100 * 1024, 101 * 1024, 5000);
  assert.equal(short.value, null);
  assert.match(short.note, /the fill left 5000 entries/);
});

test('the profile section: GC line, busy share, one row per busy function', () => {
  const md = profileSection({
    id: { path: 'uvs-nat', io: 'pcap', workers: 1 },
    seconds: 10,
    requestsPerS: 21000.4,
    gc: summarizeGcTrace(TRACE.split('\n').slice(2, 5).join('\n')),
    cpu: summarizeProfiles([PROFILE], 11, 31, 10),
  }).join('\n');
  assert.ok(
    md.includes('uvs-nat (pcap, 1 worker), 10 s of keepalive-rps (wrk -t2 -c32) at 21000 req/s'),
  );
  assert.ok(md.includes('1 scavenges, 2 full collections, 9 ms of pauses; heap 4.3 MB → 8.1 MB'));
  assert.ok(md.includes('busy 90% of the window (as V8 sees it'));
  assert.ok(md.includes('| 55.6% | 10 | `send (src/io/pcap-backend.js:65)` |'));
  assert.ok(!md.includes('(idle)'));
  assert.deepEqual(profileSection(undefined), []);
});
