// Weighted overflow (ip_vs_ovf.c): the available server of highest weight while its active
// connections are below its weight; then the next one.
import type { LiveDest } from '../live-dest.js';
import type { Scheduler } from './scheduler.js';

export class WeightedOverflow implements Scheduler {
  readonly name = 'ovf';
  destsChanged(): void {}
  schedule(dests: readonly LiveDest[]): LiveDest | undefined {
    let best: LiveDest | undefined;
    for (const d of dests) {
      if (d.available && d.activeConns < d.weight && (!best || d.weight > best.weight)) best = d;
    }
    return best;
  }
}
