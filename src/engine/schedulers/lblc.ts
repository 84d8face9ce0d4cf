// Locality-based least connection (ip_vs_lblc.c): a destination address keeps its server
// while that server is available and not overloaded; otherwise weighted least connection
// picks a new one, remembered for the address. Entries unused for LOCALITY_EXPIRATION_MS are
// forgotten by a sweep at most once a minute, as IPVS's periodic check does.
import type { FrameFields } from '../frame-fields.js';
import type { LiveDest } from '../live-dest.js';
import {
  findDest,
  LOCALITY_EXPIRATION_MS,
  LocalitySweep,
  localityOverloaded,
  weightedLeast,
} from './locality.js';
import type { Scheduler } from './scheduler.js';

interface Entry {
  destId: number;
  used: number;
}

export class LocalityLeastConnection implements Scheduler {
  readonly name = 'lblc';
  private readonly table = new Map<number, Entry>();
  private readonly sweep = new LocalitySweep();

  destsChanged(dests: readonly LiveDest[]): void {
    for (const [k, e] of this.table) if (!findDest(dests, e.destId)) this.table.delete(k);
  }

  schedule(dests: readonly LiveDest[], f: FrameFields): LiveDest | undefined {
    if (this.sweep.due(f.now)) {
      for (const [k, e] of this.table) {
        if (f.now - e.used >= LOCALITY_EXPIRATION_MS) this.table.delete(k);
      }
    }
    let e = this.table.get(f.dstAddr);
    if (e && f.now - e.used >= LOCALITY_EXPIRATION_MS) {
      this.table.delete(f.dstAddr);
      e = undefined;
    }
    const bound = e ? findDest(dests, e.destId) : undefined;
    if (e && bound && bound.available && !localityOverloaded(bound, dests)) {
      e.used = f.now;
      return bound;
    }
    const dest = weightedLeast(dests);
    if (dest) {
      if (e) {
        e.destId = dest.id;
        e.used = f.now;
      } else this.table.set(f.dstAddr, { destId: dest.id, used: f.now });
    }
    return dest;
  }
}
