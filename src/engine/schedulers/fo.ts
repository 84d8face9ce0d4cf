// Weighted failover (ip_vs_fo.c): the available server of highest weight takes everything.
import type { LiveDest } from '../live-dest.js';
import type { Scheduler } from './scheduler.js';

export class WeightedFailover implements Scheduler {
  readonly name = 'fo';
  destsChanged(): void {}
  schedule(dests: readonly LiveDest[]): LiveDest | undefined {
    let best: LiveDest | undefined;
    for (const d of dests) if (d.available && (!best || d.weight > best.weight)) best = d;
    return best;
  }
}
