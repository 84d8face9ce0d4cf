// uvsd's wiring: learn the host, start forwarding on the served interfaces, keep real servers'
// routes and neighbours, the capture filters and the kernel guard in step with the
// configuration, and answer uvsadm on the control socket.
import type { EngineShared } from '../engine/engine-shared.js';
import type { DirectorControl } from '../control/director-control.js';
import type { DefenseSettings } from '../engine/snapshot.js';
import { portSpecs, type ServedInterface } from './capture-filter.js';
import { Director } from './director.js';
import type { ServiceTable } from '../engine/service-table.js';
import type { ConnView } from '../engine/model.js';
import { engineNow } from './engine-clock.js';
import type { Forwarding } from './forwarding.js';
import type { HostServices } from './host-services.js';

/** Ticks of the engine (expiry, rates) and of the neighbour refresh. */
const TICK_MS = 1000;

export type Log = (msg: string) => void;

export class Daemon {
  private readonly control: Director;
  private served: ServedInterface[] = [];
  /** The capture filters last given to the forwarding, to give them again only on change. */
  private portsKey = '';
  /** The firewall-mark tap's interface, -1 when there is none. */
  private markIfIndex = -1;
  private tick: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private syncAgain = false;
  private closed = false;
  /** VIPs uvsd answers ARP for (not held by the kernel), announced once when they appear. */
  private readonly announced = new Set<number>();
  private readonly announced6 = new Set<string>();
  readonly clock = engineNow;

  constructor(
    readonly shared: EngineShared,
    private readonly host: HostServices,
    private readonly forwarding: Forwarding,
    private readonly log: Log,
    /** Whether the capture filters let VRRP adverts through (the daemon runs VRRP). */
    private readonly vrrp = false,
  ) {
    this.control = new Director(
      this.shared,
      this.clock,
      (snapshot) => this.forwarding.publish(snapshot),
      () => this.host.facts(this.markIfIndex),
      () => this.configChanged(),
      () => this.forwarding.counters(),
    );
  }

  get director(): DirectorControl {
    return this.control;
  }

  /** The connections learnt from a sync master. */
  syncedConnections(): readonly ConnView[] {
    return this.control.syncedConnections();
  }

  /** The services and real servers by the ids connections carry (the trace names them). */
  get serviceTable(): ServiceTable {
    return this.control.table;
  }

  /** The SYN-flood defences. */
  setDefense(settings: DefenseSettings): void {
    this.control.setDefense(settings);
  }

  /** Serves firewall-mark services through the tap `ifIndex`. */
  setMarkInterface(ifIndex: number): void {
    this.markIfIndex = ifIndex;
    this.control.republish();
  }

  /**
   * After each host change, serves the interfaces `choose` names then: one that comes up, is
   * created or re-created is served, one that is removed is dropped (its socket closed).
   */
  followInterfaces(choose: () => readonly string[]): void {
    this.chooseServed = choose;
  }

  private chooseServed: (() => readonly string[]) | undefined;

  private resolveServed(ifNames: readonly string[]): ServedInterface[] {
    return ifNames.flatMap((name) => {
      const ifIndex = this.host.interfaceIndex(name);
      return ifIndex === undefined ? [] : [{ name, ifIndex }];
    });
  }

  /** The served set again, from the host as it is now; logs what changed. */
  private reviewServed(): void {
    if (!this.chooseServed || !this.tick) return;
    const next = this.resolveServed(this.chooseServed());
    const id = (i: ServedInterface): string => `${i.name}#${i.ifIndex}`;
    const before = new Set(this.served.map(id));
    const after = new Set(next.map(id));
    for (const i of next)
      if (!before.has(id(i))) this.log(`uvsd: serving ${i.name} (ifindex ${i.ifIndex}), new`);
    for (const i of this.served)
      if (!after.has(id(i))) this.log(`uvsd: ${i.name} (ifindex ${i.ifIndex}) is gone: not served`);
    this.served = next;
  }

  /** Starts serving `ifNames`; resolves when frames flow and the guard is in place. */
  async start(ifNames: readonly string[]): Promise<void> {
    await this.host.refresh();
    this.control.republish();
    this.served = this.resolveServed(ifNames);
    const ports = this.ports();
    this.portsKey = portsKey(ports);
    await this.forwarding.start(ports);
    await this.host.applyGuard(this.control.table);
    this.tick = setInterval(() => {
      const now = this.clock();
      this.forwarding.tick(now);
      this.control.tick(now);
    }, TICK_MS);
    this.host.onHostChange(() => this.configChanged());
    this.host.start();
  }

  /**
   * After any configuration or host change: routes and neighbours of the real servers, then
   * the guard. Serialised; a change during a sync schedules one more.
   */
  configChanged(): void {
    if (this.closed) return;
    this.syncAgain = true;
    this.syncing = this.syncing.then(async () => {
      while (this.syncAgain && !this.closed) {
        this.syncAgain = false;
        await this.syncHost();
      }
    });
  }

  /** Waits for the pending host sync (tests and the control server use it). */
  settled(): Promise<void> {
    return this.syncing;
  }

  private async syncHost(): Promise<void> {
    try {
      await this.host.refresh();
      this.reviewServed();
      const nextHops: number[] = [];
      const nextHops6: string[] = [];
      for (const dest of this.control.table.activeDests()) {
        try {
          if (dest.family === 6) {
            nextHops6.push(await this.host.v6.sync(dest));
            continue;
          }
          const route = await this.host.routeTo(dest.addr);
          dest.ifIndex = route.ifIndex;
          dest.nextHop = route.gateway ?? dest.addr;
          dest.tunnelSrc = route.src ?? this.host.interfaceAddress(route.ifIndex) ?? 0;
          dest.routeMtu = route.mtu ?? 0;
          nextHops.push(dest.nextHop);
          if (!this.host.neighbours.lookup(dest.nextHop))
            this.host.neighbours.request(dest.nextHop, dest.ifIndex);
        } catch (err) {
          dest.ifIndex = -1;
          this.log(`uvsd: real server ${dest.addrText}: ${(err as Error).message}`);
        }
      }
      this.host.setNextHopsInUse(nextHops);
      this.host.v6.setNextHopsInUse(nextHops6);
      this.control.republish();
      this.updatePorts();
      await this.host.applyGuard(this.control.table);
      this.announceVips();
    } catch (err) {
      this.log(`uvsd: ${(err as Error).message}`);
    }
  }

  /**
   * Gratuitous ARP (an unsolicited neighbour advertisement for IPv6) for each VIP that uvsd
   * answers itself, when it first appears.
   */
  private announceVips(): void {
    const vips = new Set<number>();
    const vips6 = new Map<string, Uint32Array>();
    for (const svc of this.control.table.ordered) {
      if (svc.key.kind !== 'addr') continue;
      if (svc.family === 6) {
        if (!this.host.v6.isLocal(svc.vip6)) vips6.set(svc.vipText, svc.vip6);
      } else if (!this.host.isLocalAddress(svc.vip)) vips.add(svc.vip);
    }
    for (const vip of vips) if (!this.announced.has(vip)) this.host.announce(vip);
    for (const [text, vip] of vips6) if (!this.announced6.has(text)) this.host.announce6(vip);
    this.announced.clear();
    for (const vip of vips) this.announced.add(vip);
    this.announced6.clear();
    for (const text of vips6.keys()) this.announced6.add(text);
  }

  private ports() {
    return portSpecs(this.served, this.control.table, {
      vrrp: this.vrrp,
      markIfIndex: this.markIfIndex,
      fanout: true,
    });
  }

  /** Gives the forwarding new capture filters when the services they depend on changed. */
  private updatePorts(): void {
    const ports = this.ports();
    const key = portsKey(ports);
    if (key === this.portsKey) return;
    this.portsKey = key;
    this.forwarding.setPorts(ports);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.tick) clearInterval(this.tick);
    await this.forwarding.close();
    await this.syncing.catch(() => {});
    this.host.close();
  }
}

function portsKey(ports: readonly { name: string; filter: Uint8Array }[]): string {
  return ports.map((p) => `${p.name}:${Buffer.from(p.filter).toString('base64')}`).join(' ');
}
