// Shortest expected delay (ip_vs_sed.c): the server with the smallest (active + 1) / weight,
// compared as (a1 + 1) × w2 < (a2 + 1) × w1; inactive connections do not count.
import type { LiveDest } from '../live-dest.js';
import type { Scheduler } from './scheduler.js';

/** The available dest of smallest (active + 1) / weight, first on ties. */
export function shortestExpectedDelay(dests: readonly LiveDest[]): LiveDest | undefined {
  let best: LiveDest | undefined;
  for (const d of dests) {
    if (!d.available) continue;
    if (!best || (d.activeConns + 1) * best.weight < (best.activeConns + 1) * d.weight) best = d;
  }
  return best;
}

export class ShortestExpectedDelay implements Scheduler {
  readonly name = 'sed';
  destsChanged(): void {}
  schedule(dests: readonly LiveDest[]): LiveDest | undefined {
    return shortestExpectedDelay(dests);
  }
}
