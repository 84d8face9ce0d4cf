// Garbage collections in a slice of node --trace-gc's output (pure): how many, how long they
// paused, and the heap before and after. The caller cuts the slice: a worker isolate counts
// its times from its own start, so the times in the lines cannot place them in a window.

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
  /\]\s+\d+ ms: ([A-Za-z-]+(?: \([a-z ]+\))?) ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+) \//;

export function summarizeGcTrace(text: string): GcSummary {
  let scavenges = 0;
  let fullGcs = 0;
  let pauseMs = 0;
  let heapBeforeMB: number | null = null;
  let heapAfterMB: number | null = null;
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    if (m[1]!.startsWith('Scavenge') || m[1]!.startsWith('Minor')) scavenges++;
    else fullGcs++;
    pauseMs += Number(m[4]);
    heapBeforeMB ??= Number(m[2]);
    heapAfterMB = Number(m[3]);
  }
  return { scavenges, fullGcs, pauseMs, heapBeforeMB, heapAfterMB };
}
