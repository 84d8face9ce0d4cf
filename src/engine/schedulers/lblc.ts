// Locality-based least connection (ip_vs_lblc.c): a destination address keeps its server
// while that server is available and not overloaded; otherwise weighted least connection
// picks a new one, remembered for the address.
import type { Dest } from '../dest.js';
import { LOCALITY_EXPIRATION_MS, localityOverloaded, weightedLeast } from './locality.js';
import type { FlowInfo, Scheduler } from './scheduler.js';

export class LocalityLeastConnection implements Scheduler {
  readonly name = 'lblc';
  private readonly table = new Map<number, { dest: Dest; used: number }>();

  destsChanged(dests: readonly Dest[]): void {
    for (const [k, e] of this.table) if (!dests.includes(e.dest)) this.table.delete(k);
  }

  schedule(dests: readonly Dest[], flow: FlowInfo): Dest | undefined {
    const e = this.table.get(flow.dstAddr);
    if (
      e &&
      flow.now - e.used < LOCALITY_EXPIRATION_MS &&
      e.dest.available &&
      !localityOverloaded(e.dest, dests)
    ) {
      e.used = flow.now;
      return e.dest;
    }
    const dest = weightedLeast(dests);
    if (dest) this.table.set(flow.dstAddr, { dest, used: flow.now });
    return dest;
  }
}
