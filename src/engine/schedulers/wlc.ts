// Weighted least connection (ip_vs_wlc.c), ipvsadm's default: the server with the smallest
// overhead / weight, compared as overhead1 × weight2 < overhead2 × weight1.
import type { LiveDest } from '../live-dest.js';
import type { Scheduler } from './scheduler.js';

export class WeightedLeastConnection implements Scheduler {
  readonly name = 'wlc';

  destsChanged(): void {}

  schedule(dests: readonly LiveDest[]): LiveDest | undefined {
    let best: LiveDest | undefined;
    for (const d of dests) {
      if (!d.available) continue;
      if (!best || d.overhead * best.weight < best.overhead * d.weight) best = d;
    }
    return best;
  }
}
