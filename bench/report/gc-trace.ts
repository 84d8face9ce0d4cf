// Garbage collections in node --trace-gc's output within a window of the process's life (pure):
// how many, how long they paused, and the heap before and after.

export interface GcSummary {
  readonly scavenges: number;
  /** Mark-Compact and Mark-sweep: full collections. */
  readonly fullGcs: number;
  readonly pauseMs: number;
  /** Heap used (MB) before the window's first collection and after its last; null if none. */
  readonly heapBeforeMB: number | null;
  readonly heapAfterMB: number | null;
}

// [pid:isolate]   1234 ms: Scavenge 4.0 (4.2) -> 3.7 (5.2) MB, 1.52 / 0.00 ms  (…) allocation failure;
const LINE =
  /\]\s+(\d+) ms: ([A-Za-z-]+(?: \([a-z ]+\))?) ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+) \//;

export function summarizeGcTrace(text: string, fromMs: number, toMs: number): GcSummary {
  let scavenges = 0;
  let fullGcs = 0;
  let pauseMs = 0;
  let heapBeforeMB: number | null = null;
  let heapAfterMB: number | null = null;
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const at = Number(m[1]);
    if (at < fromMs || at > toMs) continue;
    if (m[2]!.startsWith('Scavenge') || m[2]!.startsWith('Minor')) scavenges++;
    else fullGcs++;
    pauseMs += Number(m[5]);
    heapBeforeMB ??= Number(m[3]);
    heapAfterMB = Number(m[4]);
  }
  return { scavenges, fullGcs, pauseMs, heapBeforeMB, heapAfterMB };
}
