// RESULTS.md's section on uvsd under a CPU profiler and --trace-gc (pure).
import type { ProfileSummary } from './cpu-profile.js';
import type { GcSummary } from './gc-trace.js';
import { pathLabel, type PathId } from './result.js';

export interface UvsdProfileReport {
  readonly id: PathId;
  readonly seconds: number;
  readonly requestsPerS: number;
  readonly gc: GcSummary;
  readonly cpu: ProfileSummary;
}

/** "143 scavenges, 0 full collections, 210 ms of pauses; heap 5.1 → 5.3 MB" */
export function gcText(gc: GcSummary): string {
  const heap =
    gc.heapBeforeMB === null
      ? 'no collection, so no heap figure'
      : `heap ${gc.heapBeforeMB} MB → ${gc.heapAfterMB} MB`;
  return `${gc.scavenges} scavenges, ${gc.fullGcs} full collections, ${gc.pauseMs.toFixed(0)} ms of pauses; ${heap}`;
}

function busyText(cpu: ProfileSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
  if (cpu.threads <= 1) return pct(cpu.busy);
  return `${cpu.busyPerThread.map(pct).join(', ')} (${cpu.threads} threads, the main thread first)`;
}

export function profileSection(p: UvsdProfileReport | undefined): string[] {
  if (!p) return [];
  return [
    "## Where uvsd's time goes",
    '',
    `${pathLabel(p.id)}, ${p.seconds} s of keepalive-rps (wrk -t2 -c32) at ${Math.round(p.requestsPerS)} req/s, ` +
      `uvsd started under \`node --cpu-prof --trace-gc\`; the first and last 0.5 s are left out.`,
    '',
    `- Garbage collection: ${gcText(p.gc)}. In steady state a fast path that allocates nothing per frame shows none.`,
    `- uvsd was busy ${busyText(p.cpu)} of the window (as V8 sees it: a thread blocked in a native call such as poll() is busy); self time by function, all threads together (native calls count in their JavaScript caller):`,
    '',
    '| share of busy time | self ms | function |',
    '|---:|---:|---|',
    ...p.cpu.rows
      .filter((r) => r.where !== '(idle)')
      .map((r) => `| ${(r.share * 100).toFixed(1)}% | ${r.selfMs.toFixed(0)} | \`${r.where}\` |`),
    '',
  ];
}
