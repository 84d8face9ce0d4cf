// Locality-based least connection with replication (ip_vs_lblcr.c): a destination address
// keeps a set of servers; the least loaded of the set serves; when it is overloaded the least
// loaded of all joins the set; a set unchanged for a while sheds its most loaded member.
import type { Dest } from '../dest.js';
import { LOCALITY_EXPIRATION_MS, localityOverloaded, weightedLeast } from './locality.js';
import type { FlowInfo, Scheduler } from './scheduler.js';

/** A set not modified for this long drops its most loaded server (IPVS: 6 minutes). */
const SHRINK_AFTER_MS = 6 * 60 * 1000;

interface ServerSet {
  members: Dest[];
  modified: number;
  used: number;
}

export class LocalityLeastConnectionReplicated implements Scheduler {
  readonly name = 'lblcr';
  private readonly table = new Map<number, ServerSet>();

  destsChanged(dests: readonly Dest[]): void {
    for (const [k, s] of this.table) {
      s.members = s.members.filter((d) => dests.includes(d));
      if (s.members.length === 0) this.table.delete(k);
    }
  }

  schedule(dests: readonly Dest[], flow: FlowInfo): Dest | undefined {
    let set = this.table.get(flow.dstAddr);
    if (set && flow.now - set.used >= LOCALITY_EXPIRATION_MS) set = undefined;
    if (set && set.members.length > 1 && flow.now - set.modified > SHRINK_AFTER_MS) {
      let most = set.members[0]!;
      for (const d of set.members)
        if (d.overhead * most.weight > most.overhead * d.weight) most = d;
      set.members = set.members.filter((d) => d !== most);
      set.modified = flow.now;
    }
    let dest = set ? weightedLeast(set.members) : undefined;
    if (!dest || localityOverloaded(dest, dests)) {
      const least = weightedLeast(dests);
      if (least) {
        if (!set) {
          set = { members: [], modified: flow.now, used: flow.now };
          this.table.set(flow.dstAddr, set);
        }
        if (!set.members.includes(least)) {
          set.members.push(least);
          set.modified = flow.now;
        }
      }
      dest = least ?? dest;
    }
    if (set) set.used = flow.now;
    return dest;
  }
}
