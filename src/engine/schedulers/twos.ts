// Weighted random twos choice (ip_vs_twos.c): two servers drawn at random in proportion to
// their weights; the one with the smaller connections/weight wins.
import type { LiveDest } from '../live-dest.js';
import type { Scheduler } from './scheduler.js';

export class TwosChoice implements Scheduler {
  readonly name = 'twos';

  constructor(private readonly random: () => number = Math.random) {}

  destsChanged(): void {}

  private draw(dests: readonly LiveDest[], total: number): LiveDest | undefined {
    let r = Math.floor(this.random() * total);
    for (const d of dests) {
      if (!d.available) continue;
      if (r < d.weight) return d;
      r -= d.weight;
    }
    return undefined;
  }

  schedule(dests: readonly LiveDest[]): LiveDest | undefined {
    let total = 0;
    for (const d of dests) if (d.available) total += d.weight;
    if (total === 0) return undefined;
    const a = this.draw(dests, total)!;
    const b = this.draw(dests, total)!;
    return b.overhead * a.weight < a.overhead * b.weight ? b : a;
  }
}
