// Never queue (ip_vs_nq.c): an idle server (no active connection) if there is one, else
// shortest expected delay.
import type { LiveDest } from '../live-dest.js';
import type { Scheduler } from './scheduler.js';
import { shortestExpectedDelay } from './sed.js';

export class NeverQueue implements Scheduler {
  readonly name = 'nq';
  destsChanged(): void {}
  schedule(dests: readonly LiveDest[]): LiveDest | undefined {
    for (const d of dests) if (d.available && d.activeConns === 0) return d;
    return shortestExpectedDelay(dests);
  }
}
