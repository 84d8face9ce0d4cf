// Least connection (ip_vs_lc.c): the server with the smallest overhead
// (active × 256 + inactive); servers of weight 0 take nothing.
import type { LiveDest } from '../live-dest.js';
import type { Scheduler } from './scheduler.js';

export class LeastConnection implements Scheduler {
  readonly name = 'lc';

  destsChanged(): void {}

  schedule(dests: readonly LiveDest[]): LiveDest | undefined {
    let best: LiveDest | undefined;
    let bestOverhead = Infinity;
    for (const d of dests) {
      if (!d.available) continue;
      const o = d.overhead;
      if (o < bestOverhead) {
        best = d;
        bestOverhead = o;
      }
    }
    return best;
  }
}
