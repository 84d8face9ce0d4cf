// A connection known by its addresses (from a previous uvsd's table, or from a sync message)
// bound to the current configuration: its virtual service and real server, found by address,
// since ids differ from one uvsd to another.
import type { Dest } from '../engine/dest.js';
import { FwdMethod } from '../engine/model.js';
import type { Service } from '../engine/service.js';
import type { ServiceTable } from '../engine/service-table.js';

export interface ConnAddresses {
  readonly proto: number;
  /** Unsigned 32-bit addresses. */
  readonly vaddr: number;
  readonly vport: number;
  readonly fwmark: number;
  readonly daddr: number;
  readonly dport: number;
  readonly method: FwdMethod;
  readonly template: boolean;
}

/**
 * The service and real server of `a` in `table`, or undefined when either is gone. NAT keeps
 * the real server's port; DR, TUN, templates and a port-0 real server match by address.
 */
export function bindConnection(
  table: ServiceTable,
  a: ConnAddresses,
): { svc: Service; dest: Dest } | undefined {
  const svc = table.serviceOf(a.proto, a.vaddr, a.vport, a.fwmark);
  if (!svc) return undefined;
  const dest = svc.dests.find(
    (d) =>
      d.addr === a.daddr &&
      (d.port === a.dport || d.port === 0 || a.template || a.method !== FwdMethod.Masq),
  );
  return dest ? { svc, dest } : undefined;
}
