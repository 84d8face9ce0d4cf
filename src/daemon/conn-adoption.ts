// A restarted uvsd takes over the connections its predecessor left in the connection table's
// file (/dev/shm), IPv4 and IPv6: each entry is bound again to the service and real server of
// the current configuration (ids may differ from one run to the next), or dropped when they
// are gone.
import { Cf, Cf6, ConnFlag } from '../engine/conn-layout.js';
import type { ConnTable } from '../engine/conn-table.js';
import { ConnTable6 } from '../engine/conn-table6.js';
import type { EngineShared } from '../engine/engine-shared.js';
import type { ServiceTable } from '../engine/service-table.js';
import { formatIpv4, formatIpv6Words } from '../packet/addr.js';
import { bindConnection } from './conn-binding.js';

export function adoptConnections(shared: EngineShared, table: ServiceTable, now: number): number {
  return shared.adopt(now, (c: ConnTable, i: number) => {
    const v6 = c instanceof ConnTable6;
    const bound = bindConnection(table, {
      proto: c.proto(i),
      family: v6 ? 6 : 4,
      // The table holds IPv4 addresses as signed words; IPv6 ones whole in the entry's tail.
      vaddr: v6 ? formatIpv6Words(c.u, c.addrOff(i, Cf6.Vaddr)) : formatIpv4(c.vaddr(i) >>> 0),
      vport: c.vport(i),
      fwmark: c.word(i, Cf.Fwmark) >>> 0,
      daddr: v6 ? formatIpv6Words(c.u, c.addrOff(i, Cf6.Daddr)) : formatIpv4(c.daddr(i) >>> 0),
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
