// Round robin (ip_vs_rr.c): the next available server after the last one chosen.
import type { Dest } from '../dest.js';
import type { Scheduler } from './scheduler.js';

export class RoundRobin implements Scheduler {
  readonly name = 'rr';
  private last: Dest | undefined;

  destsChanged(dests: readonly Dest[]): void {
    if (this.last && !dests.includes(this.last)) this.last = undefined;
  }

  schedule(dests: readonly Dest[]): Dest | undefined {
    const n = dests.length;
    if (n === 0) return undefined;
    const start = this.last ? dests.indexOf(this.last) + 1 : 0;
    for (let i = 0; i < n; i++) {
      const d = dests[(start + i) % n]!;
      if (d.available) {
        this.last = d;
        return d;
      }
    }
    return undefined;
  }
}
