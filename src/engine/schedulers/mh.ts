// Maglev hashing (ip_vs_mh.c, after Google's Maglev): a lookup table of prime size filled
// from each server's own permutation (offset, skip), servers taking turns in proportion to
// their weights, so that a change of servers moves few clients. The client's address (and
// port with mh-port) picks the entry; with mh-fallback an unavailable server passes the
// client to other entries.
import type { LiveDest } from '../live-dest.js';
import { gcd } from './gcd.js';
import { mix32 } from './hash.js';
import type { FrameFields } from '../frame-fields.js';
import type { Scheduler } from './scheduler.js';

/** Table size: a prime, as IPVS's default (CONFIG_IP_VS_MH_TAB_INDEX). */
export const MH_TABLE_SIZE = 4093;

export class MaglevHashing implements Scheduler {
  readonly name = 'mh';
  private table: (LiveDest | undefined)[] = [];
  private readonly fallback: boolean;
  private readonly usePort: boolean;

  constructor(flags: readonly string[]) {
    this.fallback = flags.includes('mh-fallback') || flags.includes('sh-fallback');
    this.usePort = flags.includes('mh-port') || flags.includes('sh-port');
  }

  destsChanged(dests: readonly LiveDest[]): void {
    const live = dests.filter((d) => d.weight > 0);
    const m = MH_TABLE_SIZE;
    const table = new Array<LiveDest | undefined>(m).fill(undefined);
    if (live.length === 0) {
      this.table = table;
      return;
    }
    const g = live.reduce((a, d) => gcd(a, d.weight), 0);
    const perm = live.map((d) => {
      const key = (d.addr ^ Math.imul(d.port, 0x9e3779b1)) >>> 0;
      return {
        offset: mix32(key, 0x2545f491) % m,
        skip: (mix32(key, 0x6b43a9b5) % (m - 1)) + 1,
        next: 0,
        turns: d.weight / g,
      };
    });
    let filled = 0;
    while (filled < m) {
      for (let i = 0; i < live.length && filled < m; i++) {
        const p = perm[i]!;
        for (let t = 0; t < p.turns && filled < m; t++) {
          let c = (p.offset + p.next * p.skip) % m;
          while (table[c] !== undefined) {
            p.next++;
            c = (p.offset + p.next * p.skip) % m;
          }
          table[c] = live[i];
          p.next++;
          filled++;
        }
      }
    }
    this.table = table;
  }

  schedule(_dests: readonly LiveDest[], flow: FrameFields): LiveDest | undefined {
    const key = this.usePort ? (flow.srcAddr ^ (flow.srcPort << 16)) >>> 0 : flow.srcAddr;
    const tries = this.fallback ? 32 : 1;
    for (let k = 0; k < tries; k++) {
      const d = this.table[mix32(key, k * 0x9e3779b9) % MH_TABLE_SIZE];
      if (d && d.available) return d;
    }
    return undefined;
  }
}
