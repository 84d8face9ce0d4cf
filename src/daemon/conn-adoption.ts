// A restarted uvsd takes over the connections its predecessor left in the connection table's
// file (/dev/shm): each entry is bound again to the service and real server of the current
// configuration (ids may differ from one run to the next), or dropped when they are gone.
import { Cf, ConnFlag } from '../engine/conn-layout.js';
import type { EngineShared } from '../engine/engine-shared.js';
import { FwdMethod } from '../engine/model.js';
import type { ServiceTable } from '../engine/service-table.js';

export function adoptConnections(shared: EngineShared, table: ServiceTable, now: number): number {
  const c = shared.conns;
  return shared.adopt(now, (i) => {
    const template = (c.flags(i) & ConnFlag.Template) !== 0;
    const fwmark = c.word(i, Cf.Fwmark);
    // The table holds addresses as signed words; the service table as unsigned numbers.
    const svc = table.serviceOf(c.proto(i), c.vaddr(i) >>> 0, c.vport(i), fwmark >>> 0);
    if (!svc) return false;
    const daddr = c.daddr(i) >>> 0;
    const dport = c.dport(i);
    const method = c.flags(i) & ConnFlag.MethodMask;
    const dest = svc.dests.find(
      (d) =>
        d.addr === daddr &&
        (d.port === dport || d.port === 0 || template || method !== FwdMethod.Masq),
    );
    if (!dest) return false;
    c.setWord(i, Cf.SvcId, svc.id);
    c.setWord(i, Cf.DestId, dest.id);
    return true;
  });
}
