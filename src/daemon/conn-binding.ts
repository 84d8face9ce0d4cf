// A connection known by its addresses (from a previous uvsd's table, or from a sync message)
// bound to the current configuration: its virtual service and real server, found by address,
// since ids differ from one uvsd to another.
import type { Dest } from '../engine/dest.js';
import { FwdMethod } from '../engine/model.js';
import type { Service } from '../engine/service.js';
import type { ServiceTable } from '../engine/service-table.js';
import { IpProto } from '../packet/ipv4.js';

export interface ConnAddresses {
  readonly proto: number;
  /** The VIP's text (dotted quad, or canonical IPv6); unused for a firewall-mark service. */
  readonly vaddr: string;
  readonly vport: number;
  readonly fwmark: number;
  readonly family: 4 | 6;
  /**
   * The real server's text, as Dest.addrText holds it; an IPv4 real server of an IPv6 service
   * (TUN) may also be given IPv4-mapped (::ffff:a.b.c.d), as the IPv6 table keeps it.
   */
  readonly daddr: string;
  readonly dport: number;
  readonly method: FwdMethod;
  readonly template: boolean;
}

/** The prefix of an IPv4-mapped IPv6 address's text. */
const MAPPED = '::ffff:';

function serviceOf(table: ServiceTable, a: ConnAddresses): Service | undefined {
  if (a.fwmark !== 0) {
    return table.find(
      a.family === 6
        ? { kind: 'fwmark', fwmark: a.fwmark, family: 'inet6' }
        : { kind: 'fwmark', fwmark: a.fwmark },
    );
  }
  if (a.proto !== IpProto.TCP && a.proto !== IpProto.UDP) return undefined;
  const proto = a.proto === IpProto.TCP ? 'tcp' : 'udp';
  return (
    table.find({ kind: 'addr', proto, vip: a.vaddr, port: a.vport }) ??
    table.find({ kind: 'addr', proto, vip: a.vaddr, port: 0 })
  );
}

/**
 * The service and real server of `a` in `table`, or undefined when either is gone. NAT keeps
 * the real server's port; DR, TUN, templates and a port-0 real server match by address.
 */
export function bindConnection(
  table: ServiceTable,
  a: ConnAddresses,
): { svc: Service; dest: Dest } | undefined {
  const svc = serviceOf(table, a);
  if (!svc) return undefined;
  const dest = svc.dests.find(
    (d) =>
      (d.addrText === a.daddr || (d.family === 4 && a.daddr === `${MAPPED}${d.addrText}`)) &&
      (d.port === a.dport || d.port === 0 || a.template || a.method !== FwdMethod.Masq),
  );
  return dest ? { svc, dest } : undefined;
}
