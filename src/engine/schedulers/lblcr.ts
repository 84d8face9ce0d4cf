// Locality-based least connection with replication (ip_vs_lblcr.c): a destination address
// keeps a set of servers; the least loaded of the set serves; when it is overloaded the least
// loaded of all joins the set; a set unchanged for a while sheds its most loaded member. Sets
// unused for LOCALITY_EXPIRATION_MS are forgotten by a sweep at most once a minute.
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

/** A set not modified for this long drops its most loaded server (IPVS: 6 minutes). */
const SHRINK_AFTER_MS = 6 * 60 * 1000;

interface ServerSet {
  /** Member ids, resolved against the service's current servers at each use. */
  ids: number[];
  modified: number;
  used: number;
}

export class LocalityLeastConnectionReplicated implements Scheduler {
  readonly name = 'lblcr';
  private readonly table = new Map<number, ServerSet>();
  private readonly sweep = new LocalitySweep();
  private readonly members: LiveDest[] = [];

  destsChanged(dests: readonly LiveDest[]): void {
    for (const [k, s] of this.table) {
      s.ids = s.ids.filter((id) => findDest(dests, id) !== undefined);
      if (s.ids.length === 0) this.table.delete(k);
    }
  }

  schedule(dests: readonly LiveDest[], f: FrameFields): LiveDest | undefined {
    if (this.sweep.due(f.now)) {
      for (const [k, s] of this.table) {
        if (f.now - s.used >= LOCALITY_EXPIRATION_MS) this.table.delete(k);
      }
    }
    let set = this.table.get(f.dstAddr);
    if (set && f.now - set.used >= LOCALITY_EXPIRATION_MS) {
      this.table.delete(f.dstAddr);
      set = undefined;
    }
    const members = this.resolve(set, dests);
    if (set && members.length > 1 && f.now - set.modified > SHRINK_AFTER_MS) {
      let most = members[0]!;
      for (const d of members) if (d.overhead * most.weight > most.overhead * d.weight) most = d;
      set.ids = set.ids.filter((id) => id !== most.id);
      set.modified = f.now;
      members.splice(members.indexOf(most), 1);
    }
    let dest = weightedLeast(members);
    if (!dest || localityOverloaded(dest, dests)) {
      const least = weightedLeast(dests);
      if (least) {
        const s = set ?? { ids: [], modified: f.now, used: f.now };
        if (!set) this.table.set(f.dstAddr, s);
        if (!s.ids.includes(least.id)) {
          s.ids.push(least.id);
          s.modified = f.now;
        }
        s.used = f.now;
      }
      dest = least ?? dest;
    }
    if (set) set.used = f.now;
    return dest;
  }

  /** The set's members among the service's servers (into a reused array). */
  private resolve(set: ServerSet | undefined, dests: readonly LiveDest[]): LiveDest[] {
    const out = this.members;
    out.length = 0;
    if (set) {
      for (const id of set.ids) {
        const d = findDest(dests, id);
        if (d) out.push(d);
      }
    }
    return out;
  }
}
