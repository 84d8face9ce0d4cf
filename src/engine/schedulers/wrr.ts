// Weighted round robin (ip_vs_wrr.c): a current weight cw steps down by gcd(weights) each
// time the list wraps, and a server is chosen when its weight is at least cw, so that over a
// cycle each server gets weight/gcd turns, interleaved. The position and cw are the service's
// shared state: every worker continues one sequence.
import type { LiveDest } from '../live-dest.js';
import { gcd } from './gcd.js';
import type { SchedState } from './sched-state.js';
import type { Scheduler } from './scheduler.js';

/** State words: list position + 1 (0: before the first), current weight. */
const INDEX = 1;
const CW = 2;

export class WeightedRoundRobin implements Scheduler {
  readonly name = 'wrr';
  private maxWeight = 0;
  private step = 1;

  constructor(private readonly state: SchedState) {}

  destsChanged(dests: readonly LiveDest[]): void {
    let g = 0;
    let max = 0;
    for (const d of dests) {
      if (d.weight > 0) {
        g = g === 0 ? d.weight : gcd(g, d.weight);
        if (d.weight > max) max = d.weight;
      }
    }
    this.step = g === 0 ? 1 : g;
    this.maxWeight = max;
  }

  schedule(dests: readonly LiveDest[]): LiveDest | undefined {
    const n = dests.length;
    if (n === 0 || this.maxWeight === 0) return undefined;
    const st = this.state;
    st.lock();
    let index = st.get(INDEX) - 1;
    let cw = Math.min(st.get(CW), this.maxWeight);
    if (index >= n) index = -1;
    let chosen: LiveDest | undefined;
    // At most one full sweep of every weight level.
    const limit = n * (Math.floor(this.maxWeight / this.step) + 1);
    for (let k = 0; k < limit; k++) {
      index = (index + 1) % n;
      if (index === 0) {
        cw -= this.step;
        if (cw <= 0) cw = this.maxWeight;
      }
      const d = dests[index]!;
      if (d.available && d.weight >= cw) {
        chosen = d;
        break;
      }
    }
    st.set(INDEX, index + 1);
    st.set(CW, cw);
    st.unlock();
    return chosen;
  }
}
