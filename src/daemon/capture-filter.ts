// What each served interface's packet socket lets through to userspace (a classic BPF program):
// frames to the VIPs' ports, NAT real servers' replies, ARP, ICMP errors about connections, VRRP
// when the daemon runs it, and the same for IPv6 with neighbour discovery (bpf-ipv6.ts) once an
// IPv6 service or real server exists; everything on the firewall-mark tap. The host's other traffic never
// reaches uvs. Recomputed whenever the service table changes.
import { FwdMethod } from '../engine/model.js';
import type { ServiceTable } from '../engine/service-table.js';
import { filterProgram, type L4Endpoint, type L4Proto } from '../io/afpacket/bpf-program.js';
import { ipv6Section, type L4Endpoint6 } from '../io/afpacket/bpf-ipv6.js';
import { LARGE_FRAME_FANOUT_BIT } from '../io/afpacket/ring-config.js';
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
 * the wire (the mark tap's copies have lost their Ethernet header): with one configured, IPv4
 * or IPv6, every frame is taken in.
 */
export function captureFilter(table: ServiceTable, vrrp: boolean): Uint8Array {
  if (table.marks(4).length > 0 || table.marks(6).length > 0)
    return filterProgram({ acceptAll: true }).bytes;
  const vips: L4Endpoint[] = [];
  const realServers: L4Endpoint[] = [];
  const icmpAddresses: number[] = [];
  const vips6: L4Endpoint6[] = [];
  const realServers6: L4Endpoint6[] = [];
  const icmpAddresses6: number[][] = [];
  // VRRP learns its unicast peers' MACs through the threads' neighbour discovery: with VRRP
  // running, neighbour discovery comes in even before an IPv6 service exists.
  let ipv6 = vrrp;
  for (const s of table.ordered) {
    const proto = s.proto === IpProto.TCP ? 'tcp' : 'udp';
    if (s.family === 6) ipv6 = true;
    if (s.fwmark === 0 && s.family === 4) vips.push({ addr: s.vip, proto, port: s.port });
    if (s.fwmark === 0 && s.family === 6) vips6.push({ addr: [...s.vip6], proto, port: s.port });
    for (const d of s.dests) {
      if (d.family === 6) {
        ipv6 = true;
        icmpAddresses6.push([...d.addr6]);
      } else icmpAddresses.push(d.addr);
      if (d.method !== FwdMethod.Masq) continue;
      for (const p of protos(s.proto)) {
        if (d.family === 6) realServers6.push({ addr: [...d.addr6], proto: p, port: d.port });
        else realServers.push({ addr: d.addr, proto: p, port: d.port });
      }
    }
  }
  const sections = ipv6
    ? [
        ipv6Section({
          vips: vips6,
          realServers: realServers6,
          ndp: true,
          icmpErrors: true,
          icmpAddresses: icmpAddresses6,
        }),
      ]
    : [];
  return filterProgram({
    arp: true,
    icmpErrors: true,
    icmpAddresses,
    vrrp,
    vips,
    realServers,
    sections,
  }).bytes;
}

/**
 * The Ethernet groups of the IPv6 VIPs' solicited-node addresses (33:33:ff + the VIP's last 24
 * bits, RFC 4291 2.7.1 and RFC 2464 7): solicitations for a VIP are sent there, and a NIC
 * filters multicast it was not told to receive.
 */
export function solicitedNodeMacs(table: ServiceTable): number[][] {
  const macs = new Map<number, number[]>();
  for (const s of table.ordered) {
    if (s.family !== 6 || s.fwmark !== 0) continue;
    const low = s.vip6[3]! & 0xffffff;
    macs.set(low, [0x33, 0x33, 0xff, low >>> 16, (low >>> 8) & 0xff, low & 0xff]);
  }
  return [...macs.values()];
}

/** Port specs for every served interface (the mark tap takes everything). */
export function portSpecs(
  served: readonly ServedInterface[],
  table: ServiceTable,
  opts: { vrrp: boolean; markIfIndex: number; fanout: boolean },
): PortSpec[] {
  const filter = captureFilter(table, opts.vrrp);
  const all = filterProgram({ acceptAll: true }).bytes;
  const multicast = solicitedNodeMacs(table);
  return served.map((i) => ({
    name: i.name,
    ifIndex: i.ifIndex,
    filter: i.ifIndex === opts.markIfIndex ? all : filter,
    // One group per interface: a flow's direction stays on one worker of it (and one for the
    // large frames of a V2 ring, this | LARGE_FRAME_FANOUT_BIT).
    fanoutGroup: opts.fanout ? 1 + (i.ifIndex % (LARGE_FRAME_FANOUT_BIT - 1)) : 0,
    ...(multicast.length > 0 && i.ifIndex !== opts.markIfIndex ? { multicast } : {}),
  }));
}
