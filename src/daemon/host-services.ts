// What the daemon needs of the host (net/): interfaces, routes, neighbours, the kernel guard
// and change notifications, behind one interface so the daemon's logic does not know how.
import type { ServiceTable } from '../engine/service-table.js';
import type { HostFacts } from '../engine/snapshot.js';
import type { ArpLearner } from './frame-loop.js';
import type { Host6 } from './host6.js';

export interface InterfaceFacts {
  readonly name: string;
  readonly ifIndex: number;
  readonly mac: Buffer;
  readonly mtu: number;
}

export interface NeighbourCache extends ArpLearner {
  /** MAC of `ip`, or undefined; allocation-free. */
  lookup(ip: number): Buffer | undefined;
  /** Fire-and-forget resolution (rate-limited). */
  request(ip: number, ifIndex: number): void;
}

export interface HostServices {
  /** Re-reads interfaces and addresses. */
  refresh(): Promise<void>;
  interfaceByIndex(ifIndex: number): InterfaceFacts | undefined;
  isLocalAddress(ip: number): boolean;
  /** The index of an interface by name. */
  interfaceIndex(name: string): number | undefined;
  /** The first IPv4 address of an interface. */
  interfaceAddress(ifIndex: number): number | undefined;
  /** What the forwarding threads must know of the host (interfaces, local addresses). */
  facts(markIfIndex: number): HostFacts;
  readonly neighbours: NeighbourCache;
  routeTo(ip: number): Promise<{
    readonly ifIndex: number;
    readonly gateway?: number;
    readonly src?: number;
    readonly mtu?: number;
  }>;
  /** Installs or updates the nftables guard (and the mark tap's rules) for the services. */
  applyGuard(services: ServiceTable): Promise<void>;
  onHostChange(listener: () => void): void;
  /** Gratuitous ARP for `ip` on every served interface (a VIP uvsd answers for itself). */
  announce(ip: number): void;
  /** The same for an IPv6 VIP (four words): an unsolicited neighbour advertisement. */
  announce6(vip: Uint32Array): void;
  /** IPv6 routes and neighbours of real servers, IPv6 addresses of the host. */
  readonly v6: Host6;
  /** Next hops of the real servers in service, whose ARP entries are kept fresh. */
  setNextHopsInUse(ips: Iterable<number>): void;
  /** Starts following host changes and refreshing neighbours. */
  start(): void;
  /** Synchronous (exit handlers): stops timers and removes the kernel guard. */
  close(): void;
}
