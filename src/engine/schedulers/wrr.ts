// Weighted round robin (ip_vs_wrr.c): a current weight cw steps down by gcd(weights) each
// time the list wraps, and a server is chosen when its weight is at least cw, so that over a
// cycle each server gets weight/gcd turns, interleaved.
import type { Dest } from '../dest.js';
import type { Scheduler } from './scheduler.js';

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class WeightedRoundRobin implements Scheduler {
  readonly name = 'wrr';
  private index = -1;
  private cw = 0;
  private maxWeight = 0;
  private step = 1;

  destsChanged(dests: readonly Dest[]): void {
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
    if (this.cw > max) this.cw = max;
    if (this.index >= dests.length) this.index = -1;
  }

  schedule(dests: readonly Dest[]): Dest | undefined {
    const n = dests.length;
    if (n === 0 || this.maxWeight === 0) return undefined;
    // At most one full sweep of every weight level.
    const limit = n * (Math.floor(this.maxWeight / this.step) + 1);
    for (let i = 0; i < limit; i++) {
      this.index = (this.index + 1) % n;
      if (this.index === 0) {
        this.cw -= this.step;
        if (this.cw <= 0) this.cw = this.maxWeight;
      }
      const d = dests[this.index]!;
      if (d.available && d.weight >= this.cw) return d;
    }
    return undefined;
  }
}
