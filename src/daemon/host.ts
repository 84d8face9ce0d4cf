// HostServices over net/: the interfaces of the namespace, routes, userspace ARP, the kernel
// guard and the link watch.
import { IpProto } from '../packet/ipv4.js';
import { FwdMethod } from '../engine/model.js';
import type { ServiceTable } from '../engine/service-table.js';
import type { NeighbourTable } from '../engine/shared/neighbour-table.js';
import type { NeighbourTable6 } from '../engine/shared/neighbour-table6.js';
import type { HostFacts } from '../engine/snapshot.js';
import { engineNow } from './engine-clock.js';
import { FIRST_FRAME_OFFSET } from '../packet/frame-layout.js';
import type { FrameSender } from '../io/io-backend.js';
import { buildGratuitousArp } from '../packet/arp.js';
import { InterfaceTable } from '../net/interfaces.js';
import type { FwmarkTap } from '../net/fwmark-tap.js';
import { KernelGuard } from '../net/kernel-guard.js';
import { LinkWatch } from '../net/link-watch.js';
import { Neighbours } from './neighbours.js';
import { Host6 } from './host6.js';
import { routeTo } from '../net/routes.js';
import type { HostServices } from './host-services.js';

/** How often real servers' ARP entries are checked for refresh. */
const NEIGHBOUR_REFRESH_MS = 5000;

export class Host implements HostServices {
  readonly interfaces = new InterfaceTable();
  readonly neighbours: Neighbours;
  /** IPv6: addresses, routes, neighbour discovery, the guard's ip6 rules. */
  readonly v6: Host6;
  private readonly guard = new KernelGuard();
  private readonly watch: LinkWatch;
  private readonly listeners: (() => void)[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Next hops of real servers in service: kept fresh in the ARP cache. */
  private readonly inUse = new Set<number>();

  private readonly arpBuf = Buffer.alloc(FIRST_FRAME_OFFSET + 64);

  constructor(
    private readonly io: FrameSender,
    private readonly served: () => readonly string[],
    private readonly guardEnabled: boolean,
    /** The firewall-mark tap, when it could be created. */
    private readonly tap: FwmarkTap | undefined,
    neighbourTable: NeighbourTable,
    neighbourTable6: NeighbourTable6,
  ) {
    this.neighbours = new Neighbours(
      (i, b, o, l) => io.send(i, b, o, l),
      this.interfaces,
      neighbourTable,
      engineNow,
    );
    this.v6 = new Host6(
      (i, b, o, l) => io.send(i, b, o, l),
      this.interfaces,
      neighbourTable6,
      engineNow,
    );
    this.watch = new LinkWatch(() => this.listeners.forEach((l) => l()));
  }

  async refresh(): Promise<void> {
    await this.interfaces.refresh();
  }

  start(): void {
    this.watch.start();
    this.refreshTimer = setInterval(() => {
      this.neighbours.refresh((ip) => this.inUse.has(ip));
      this.v6.refresh();
    }, NEIGHBOUR_REFRESH_MS);
  }

  interfaceByIndex(ifIndex: number) {
    return this.interfaces.get(ifIndex);
  }

  interfaceIndex(name: string): number | undefined {
    return this.interfaces.named(name)?.ifIndex;
  }

  interfaceAddress(ifIndex: number): number | undefined {
    return this.interfaces.get(ifIndex)?.addrs[0]?.addr;
  }

  isLocalAddress(ip: number): boolean {
    return this.interfaces.isLocalAddress(ip);
  }

  facts(markIfIndex: number): HostFacts {
    return {
      interfaces: this.interfaces.all().map((i) => ({
        ifIndex: i.ifIndex,
        mac: [...i.mac],
        mtu: i.mtu,
        address: i.addrs[0]?.addr ?? 0,
        addrs6: this.v6.addresses(i.ifIndex),
      })),
      localAddresses: this.interfaces.localAddresses(),
      localAddresses6: this.v6.localAddresses(),
      markIfIndex,
    };
  }

  routeTo(ip: number) {
    return routeTo(ip, (name) => this.interfaces.named(name)?.ifIndex);
  }

  /** Marks the next hops in use (refreshed by ARP) — called after each sync. */
  setNextHopsInUse(ips: Iterable<number>): void {
    this.inUse.clear();
    for (const ip of ips) this.inUse.add(ip);
  }

  async applyGuard(services: ServiceTable): Promise<void> {
    await this.tap?.apply(services.marks(4), services.marks(6));
    if (!this.guardEnabled) return;
    const protos = (p: number): ('tcp' | 'udp')[] =>
      p === IpProto.TCP ? ['tcp'] : p === IpProto.UDP ? ['udp'] : ['tcp', 'udp'];
    await this.guard.apply({
      interfaces: this.served(),
      services: services.ordered
        .filter((s) => s.key.kind === 'addr' && s.family === 4)
        .map((s) => ({ proto: s.proto === IpProto.TCP ? 'tcp' : 'udp', vip: s.vip, port: s.port })),
      // Replies of NAT servers, fwmark services' included (those may be TCP or UDP).
      natDests: services.ordered.flatMap((s) =>
        s.dests
          .filter((d) => d.method === FwdMethod.Masq && d.family === 4)
          .flatMap((d) => protos(s.proto).map((proto) => ({ proto, addr: d.addr, port: d.port }))),
      ),
      localAddrs: this.interfaces.localAddresses(),
      ...this.v6.guard(services),
    });
  }

  announce(ip: number): void {
    for (const name of this.served()) {
      const iface = this.interfaces.named(name);
      if (!iface) continue;
      const len = buildGratuitousArp(this.arpBuf, iface.mac, ip, FIRST_FRAME_OFFSET);
      this.io.send(iface.ifIndex, this.arpBuf, FIRST_FRAME_OFFSET, len);
    }
  }

  announce6(vip: Uint32Array): void {
    const served = this.served().flatMap((n) => this.interfaces.named(n)?.ifIndex ?? []);
    this.v6.announce(vip, served);
  }

  onHostChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Synchronous: runs from exit handlers too. */
  close(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.watch.close();
    this.neighbours.close();
    if (this.guardEnabled) this.guard.remove();
    this.tap?.close();
  }
}
