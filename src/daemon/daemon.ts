// uvsd's wiring: learn the host, open the io backend on the served interfaces, run the
// engine on every frame, keep real servers' routes and neighbours and the kernel guard in
// step with the configuration, and answer uvsadm on the control socket.
import { Engine } from '../engine/engine.js';
import type { EngineShared } from '../engine/engine-shared.js';
import type { DirectorControl } from '../engine/model.js';
import type { IoBackend } from '../io/io-backend.js';
import { formatIpv4 } from '../packet/addr.js';
import { Director } from './director.js';
import { engineNow } from './engine-clock.js';
import { frameLoop } from './frame-loop.js';
import { HostEnv } from './host-env.js';
import type { HostServices } from './host-services.js';

/** Ticks of the engine (expiry, rates) and of the neighbour refresh. */
const TICK_MS = 1000;

export type Log = (msg: string) => void;

export class Daemon {
  readonly engine: Engine;
  private readonly control: Director;
  private readonly env: HostEnv;
  /** The firewall-mark tap's interface, -1 when there is none. */
  private markIfIndex = -1;
  private tick: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private syncAgain = false;
  private closed = false;
  /** VIPs uvsd answers ARP for (not held by the kernel), announced once when they appear. */
  private readonly announced = new Set<number>();
  readonly clock = engineNow;

  constructor(
    readonly shared: EngineShared,
    private readonly host: HostServices,
    private readonly io: IoBackend,
    private readonly log: Log,
  ) {
    this.env = new HostEnv(host);
    this.engine = new Engine(this.shared, this.env, {
      send: (buf, off, len, ifIndex) => void io.send(ifIndex, buf, off, len),
    });
    this.control = new Director(
      this.shared,
      this.clock,
      (snapshot) => this.engine.configure(snapshot),
      () => this.host.facts(this.markIfIndex),
      () => this.configChanged(),
      () => Object.fromEntries(Object.entries(io.counters).map(([k, v]) => [`io.${k}`, v])),
    );
  }

  get director(): DirectorControl {
    return this.control;
  }

  /** Serves firewall-mark services through the tap `ifIndex`. */
  setMarkInterface(ifIndex: number): void {
    this.markIfIndex = ifIndex;
    this.control.republish();
  }

  /** Starts serving `ifNames`; resolves when frames flow and the guard is in place. */
  async start(ifNames: readonly string[]): Promise<void> {
    await this.host.refresh();
    this.control.republish();
    this.io.open(ifNames, frameLoop(this.engine, this.host.neighbours, this.clock));
    await this.host.applyGuard(this.control.table);
    this.tick = setInterval(() => {
      const now = this.clock();
      this.engine.tick(now);
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
      const nextHops: number[] = [];
      for (const dest of this.control.table.activeDests()) {
        try {
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
          this.log(`uvsd: real server ${formatIpv4(dest.addr)}: ${(err as Error).message}`);
        }
      }
      this.host.setNextHopsInUse(nextHops);
      this.control.republish();
      await this.host.applyGuard(this.control.table);
      this.announceVips();
    } catch (err) {
      this.log(`uvsd: ${(err as Error).message}`);
    }
  }

  /** Gratuitous ARP for each VIP that uvsd answers itself, when it first appears. */
  private announceVips(): void {
    const vips = new Set<number>();
    for (const svc of this.control.table.ordered) {
      if (svc.key.kind === 'addr' && !this.host.isLocalAddress(svc.vip)) vips.add(svc.vip);
    }
    for (const vip of vips) if (!this.announced.has(vip)) this.host.announce(vip);
    this.announced.clear();
    for (const vip of vips) this.announced.add(vip);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.tick) clearInterval(this.tick);
    this.io.close();
    await this.syncing.catch(() => {});
    this.host.close();
  }
}
