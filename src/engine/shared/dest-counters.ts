// Per real server connection counts that every thread changes and the least-connection
// schedulers read: active, inactive and persistent connections, and the overload flag of the
// -x/-y thresholds (IPVS keeps them in struct ip_vs_dest as atomics; so do we, in shared memory).
import { MAX_DESTS } from './limits.js';
import type { Part, SharedRegion } from './region.js';

export const enum DestCount {
  Active = 0,
  Inactive = 1,
  Persistent = 2,
  Overloaded = 3,
  /** A path MTU learnt from a router's "fragmentation needed" (0: none), as IPVS updates it. */
  LearntMtu = 4,
  Words = 8,
}

export class DestCounters {
  readonly words: Int32Array;

  static parts(): Part[] {
    return [{ name: 'dest.counters', bytes: MAX_DESTS * DestCount.Words * 4 }];
  }

  constructor(region: SharedRegion) {
    this.words = region.int32('dest.counters', MAX_DESTS * DestCount.Words);
  }

  get(id: number, field: DestCount): number {
    return this.words[id * DestCount.Words + field]!;
  }

  set(id: number, field: DestCount, v: number): void {
    Atomics.store(this.words, id * DestCount.Words + field, v);
  }

  add(id: number, field: DestCount, delta: number): void {
    Atomics.add(this.words, id * DestCount.Words + field, delta);
  }

  /** IPVS's count for least-connection schedulers: active × 256 + inactive. */
  overhead(id: number): number {
    const b = id * DestCount.Words;
    return this.words[b + DestCount.Active]! * 256 + this.words[b + DestCount.Inactive]!;
  }

  /** Applies -x/-y after a count changed (ip_vs_dest_totalconns thresholds, with hysteresis). */
  updateOverload(id: number, upper: number, lower: number): void {
    const b = id * DestCount.Words;
    if (upper === 0) {
      this.words[b + DestCount.Overloaded] = 0;
      return;
    }
    const total = this.words[b + DestCount.Active]! + this.words[b + DestCount.Inactive]!;
    if (total >= upper) this.words[b + DestCount.Overloaded] = 1;
    else if (this.words[b + DestCount.Overloaded]) {
      const low = lower > 0 ? lower : (upper * 3) >> 2;
      if (total < low) this.words[b + DestCount.Overloaded] = 0;
    }
  }

  /** A new real server in slot `id`: its counts start from zero. */
  reset(id: number): void {
    this.words.fill(0, id * DestCount.Words, (id + 1) * DestCount.Words);
  }
}
