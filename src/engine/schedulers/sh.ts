// Source hashing (ip_vs_sh.c): 256 buckets, each server present in proportion to its weight;
// the client's address (and port with sh-port) picks the bucket. With sh-fallback a bucket
// whose server is unavailable passes to the following buckets; without it, no server.
import type { LiveDest } from '../live-dest.js';
import { hash32 } from './hash.js';
import type { FrameFields } from '../frame-fields.js';
import type { Scheduler } from './scheduler.js';

const BITS = 8;
const SIZE = 1 << BITS;

export class SourceHashing implements Scheduler {
  readonly name = 'sh';
  private buckets: LiveDest[] = [];
  private readonly fallback: boolean;
  private readonly usePort: boolean;

  constructor(flags: readonly string[]) {
    this.fallback = flags.includes('sh-fallback');
    this.usePort = flags.includes('sh-port');
  }

  destsChanged(dests: readonly LiveDest[]): void {
    // Weighted round of servers: each takes `weight` consecutive turns (weight 0 still takes
    // one, as IPVS assigns it, but is skipped as unavailable).
    const turns: LiveDest[] = [];
    for (const d of dests) for (let k = 0; k < Math.max(1, d.weight); k++) turns.push(d);
    this.buckets =
      turns.length === 0 ? [] : Array.from({ length: SIZE }, (_, i) => turns[i % turns.length]!);
  }

  schedule(_dests: readonly LiveDest[], flow: FrameFields): LiveDest | undefined {
    if (this.buckets.length === 0) return undefined;
    const key = this.usePort ? (flow.srcAddr + flow.srcPort) >>> 0 : flow.srcAddr;
    const start = hash32(key, BITS);
    const tries = this.fallback ? SIZE : 1;
    for (let off = 0; off < tries; off++) {
      const d = this.buckets[(start + off) & (SIZE - 1)]!;
      if (d.available) return d;
    }
    return undefined;
  }
}
