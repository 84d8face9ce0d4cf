// What each served interface's packet socket lets through to userspace (a classic BPF program):
// frames to the VIPs' ports, NAT real servers' replies, ARP, ICMP errors about connections, VRRP
// when the daemon runs it; everything on the firewall-mark tap. The host's other traffic never
// reaches uvs. Recomputed whenever the service table changes.
import { FwdMethod } from '../engine/model.js';
import type { ServiceTable } from '../engine/service-table.js';
import { filterProgram, type L4Endpoint, type L4Proto } from '../io/afpacket/bpf-program.js';
import { IpProto } from '../packet/ipv4.js';
import type { PortSpec } from './worker/worker-messages.js';

export interface ServedInterface {
  readonly name: string;
  readonly ifIndex: number;
}

function protos(p: number): L4Proto[] {
  return p === IpProto.TCP ? ['tcp'] : p === IpProto.UDP ? ['udp'] : ['tcp', 'udp'];
}

/**
 * The filter of an ordinary served interface, for the services of `table`. A firewall-mark
 * service can match any packet, and uvs learns the way back to its clients from their frames on
 * the wire (the mark tap's copies have lost their Ethernet header): with one configured, every
 * frame is taken in.
 */
export function captureFilter(table: ServiceTable, vrrp: boolean): Uint8Array {
  if (table.marks().length > 0) return filterProgram({ acceptAll: true }).bytes;
  const vips: L4Endpoint[] = [];
  const realServers: L4Endpoint[] = [];
  const icmpAddresses: number[] = [];
  for (const s of table.ordered) {
    if (s.fwmark === 0)
      vips.push({ addr: s.vip, proto: s.proto === IpProto.TCP ? 'tcp' : 'udp', port: s.port });
    for (const d of s.dests) {
      icmpAddresses.push(d.addr);
      if (d.method !== FwdMethod.Masq) continue;
      for (const proto of protos(s.proto)) realServers.push({ addr: d.addr, proto, port: d.port });
    }
  }
  return filterProgram({ arp: true, icmpErrors: true, icmpAddresses, vrrp, vips, realServers })
    .bytes;
}

/** Port specs for every served interface (the mark tap takes everything). */
export function portSpecs(
  served: readonly ServedInterface[],
  table: ServiceTable,
  opts: { vrrp: boolean; markIfIndex: number; fanout: boolean },
): PortSpec[] {
  const filter = captureFilter(table, opts.vrrp);
  const all = filterProgram({ acceptAll: true }).bytes;
  return served.map((i) => ({
    name: i.name,
    ifIndex: i.ifIndex,
    filter: i.ifIndex === opts.markIfIndex ? all : filter,
    // One group per interface: a flow's direction stays on one worker of it.
    fanoutGroup: opts.fanout ? i.ifIndex & 0xffff : 0,
  }));
}
