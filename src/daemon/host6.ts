// The IPv6 side of the host for uvsd (Host holds it as `v6`): the interfaces' IPv6 addresses in
// the snapshot's facts, routes toward IPv6 real servers (`ip -6 route get`), their next hops
// resolved and kept fresh by userspace neighbour discovery over the shared NeighbourTable6 (the
// forwarding threads learn into it and ask through it), unsolicited advertisements of the VIPs
// uvsd holds itself, and the kernel guard's ip6 rules.
import type { Dest } from '../engine/dest.js';
import { FwdMethod } from '../engine/model.js';
import type { ServiceTable } from '../engine/service-table.js';
import type { NeighbourTable6 } from '../engine/shared/neighbour-table6.js';
import type { SnapshotAddress6 } from '../engine/snapshot.js';
import { formatIpv6, parseIpv6Words, readIpv6Words, writeIpv6Words } from '../packet/addr.js';
import { IpProto } from '../packet/ipv4.js';
import type { InterfaceTable } from '../net/interfaces.js';
import type { GuardSpec } from '../net/kernel-guard.js';
import { NdpNeighbours, ndpInterfaces, type NdpFrameSender } from '../net/ndp-neighbours.js';
import { routeTo6, type Route6 } from '../net/routes.js';

type Guard6 = Required<Pick<GuardSpec, 'services6' | 'natDests6' | 'localAddrs6'>>;

export class Host6 {
  readonly neighbours: NdpNeighbours;
  /** Next hops (canonical text) of IPv6 real servers in service: probed while in use. */
  private readonly inUse = new Set<string>();
  private readonly bytes = Buffer.alloc(16);

  constructor(
    send: NdpFrameSender,
    private readonly interfaces: InterfaceTable,
    table: NeighbourTable6,
    clock: () => number,
  ) {
    this.neighbours = new NdpNeighbours(
      send,
      { get: (i) => ndpInterfaces(interfaces, interfaces.addresses6()).get(i) },
      table,
      clock,
    );
  }

  /** The usable IPv6 addresses of an interface, as the snapshot carries them. */
  addresses(ifIndex: number): SnapshotAddress6[] {
    const words = new Uint32Array(4);
    return this.interfaces
      .addresses6()
      .filter((a) => a.ifIndex === ifIndex && !a.tentative && a.deprecated !== true)
      .map((a) => {
        readIpv6Words(a.addr, 0, words);
        return { addr: [...words], prefixLen: a.prefixLen, linkLocal: a.linkLocal };
      });
  }

  /** Every IPv6 address of the director's interfaces, four words each. */
  localAddresses(): number[][] {
    const words = new Uint32Array(4);
    return this.interfaces.addresses6().map((a) => {
      readIpv6Words(a.addr, 0, words);
      return [...words];
    });
  }

  isLocal(addr: Uint32Array): boolean {
    writeIpv6Words(this.bytes, 0, addr);
    return this.interfaces.addresses6().some((a) => a.addr.equals(this.bytes));
  }

  routeTo(addr: string): Promise<Route6> {
    return routeTo6(addr, (name) => this.interfaces.named(name)?.ifIndex);
  }

  /**
   * Route, next hop, TUN source and route MTU of an IPv6 real server; resolution of its next
   * hop started. Returns the next hop (canonical text), to be kept fresh.
   */
  async sync(dest: Dest): Promise<string> {
    const route = await this.routeTo(dest.addrText);
    dest.ifIndex = route.ifIndex;
    const next = route.gateway ?? dest.addrText;
    dest.nextHop6.set(parseIpv6Words(next));
    if (route.src !== undefined) dest.tunnelSrc6.set(parseIpv6Words(route.src));
    else {
      const own = this.addresses(route.ifIndex).find((a) => !a.linkLocal);
      dest.tunnelSrc6.set(own?.addr ?? [0, 0, 0, 0]);
    }
    dest.routeMtu = route.mtu ?? 0;
    writeIpv6Words(this.bytes, 0, dest.nextHop6);
    if (!this.neighbours.lookup(this.bytes, 0))
      this.neighbours.request(this.bytes, 0, dest.ifIndex);
    return next;
  }

  setNextHopsInUse(next: Iterable<string>): void {
    this.inUse.clear();
    for (const n of next) this.inUse.add(n);
  }

  /** Probes the next hops in use that are getting old, forgets the others (every few seconds). */
  refresh(): void {
    this.neighbours.refresh((addr) => this.inUse.has(formatIpv6(addr)));
  }

  /** Unsolicited neighbour advertisement of `vip` (four words) on each of `ifIndexes`. */
  announce(vip: Uint32Array, ifIndexes: readonly number[]): void {
    const b = Buffer.alloc(16);
    writeIpv6Words(b, 0, vip);
    for (const i of ifIndexes) this.neighbours.announce(b, i);
  }

  /** The kernel guard's ip6 rules: IPv6 services, NAT real servers' replies, own addresses. */
  guard(services: ServiceTable): Guard6 {
    const protos = (p: number): ('tcp' | 'udp')[] =>
      p === IpProto.TCP ? ['tcp'] : p === IpProto.UDP ? ['udp'] : ['tcp', 'udp'];
    return {
      services6: services.ordered
        .filter((s) => s.family === 6 && s.fwmark === 0)
        .map((s) => ({
          proto: s.proto === IpProto.TCP ? 'tcp' : 'udp',
          vip: s.vipText,
          port: s.port,
        })),
      natDests6: services.ordered.flatMap((s) =>
        s.dests
          .filter((d) => d.family === 6 && d.method === FwdMethod.Masq)
          .flatMap((d) =>
            protos(s.proto).map((proto) => ({ proto, addr: d.addrText, port: d.port })),
          ),
      ),
      localAddrs6: this.interfaces.addresses6().map((a) => formatIpv6(a.addr)),
    };
  }
}
