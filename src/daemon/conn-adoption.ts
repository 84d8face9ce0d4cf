// A restarted uvsd takes over the connections its predecessor left in the connection table's
// file (/dev/shm): each entry is bound again to the service and real server of the current
// configuration (ids may differ from one run to the next), or dropped when they are gone.
import { Cf, ConnFlag } from '../engine/conn-layout.js';
import type { EngineShared } from '../engine/engine-shared.js';
import type { ServiceTable } from '../engine/service-table.js';
import { bindConnection } from './conn-binding.js';

export function adoptConnections(shared: EngineShared, table: ServiceTable, now: number): number {
  const c = shared.conns;
  return shared.adopt(now, (i) => {
    // The table holds addresses as signed words; the service table as unsigned numbers.
    const bound = bindConnection(table, {
      proto: c.proto(i),
      vaddr: c.vaddr(i) >>> 0,
      vport: c.vport(i),
      fwmark: c.word(i, Cf.Fwmark) >>> 0,
      daddr: c.daddr(i) >>> 0,
      dport: c.dport(i),
      method: c.flags(i) & ConnFlag.MethodMask,
      template: (c.flags(i) & ConnFlag.Template) !== 0,
    });
    if (!bound) return false;
    c.setWord(i, Cf.SvcId, bound.svc.id);
    c.setWord(i, Cf.DestId, bound.dest.id);
    return true;
  });
}
