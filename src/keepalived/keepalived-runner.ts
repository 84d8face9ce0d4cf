// `uvsd -f keepalived.conf`: the configuration's virtual servers kept in the director, and
// SIGHUP reloads: unchanged virtual servers keep their state, services, connections and
// counters; changed ones are restarted with the verdicts of their real servers' checkers
// carried over (a server held DOWN stays out); removed ones leave the director. A file that
// does not read is reported and the running configuration stays.
import { RealClock } from '../clock/clock.js';
import type { DirectorControl } from '../control/director-control.js';
import { makeChecker } from '../health/make-checker.js';
import type { MonitorSnapshot } from '../health/real-server-monitor.js';
import { readKeepalivedConfig } from './config.js';
import {
  ManagedService,
  runScript,
  type Log,
  type RealServerCheckState,
  type ServiceDeps,
} from './managed-service.js';
import type { KeepalivedConfig, VirtualServerSpec } from './model.js';
import { virtualServerName, type VirtualServerStatus } from './status.js';

export class KeepalivedRunner {
  private services: ManagedService[] = [];
  private readonly deps: ServiceDeps;
  /** VIPs that a VRRP instance manages, and which of them this director holds now. */
  private vrrpVips: ReadonlySet<string> = new Set();
  private heldVips: ReadonlySet<string> = new Set();

  constructor(
    private readonly file: string,
    private readonly director: DirectorControl,
    private readonly log: Log,
    deps: Partial<ServiceDeps> = {},
    private readonly read: (file: string) => KeepalivedConfig = readKeepalivedConfig,
  ) {
    this.deps = {
      clock: deps.clock ?? new RealClock(),
      makeChecker: deps.makeChecker ?? makeChecker,
      random: deps.random ?? Math.random,
      runScript: deps.runScript ?? ((line) => runScript(line, log)),
    };
  }

  /** Reads the file and applies it; throws ConfigError (nothing applied) when it does not read. */
  load(): void {
    const config = this.read(this.file);
    for (const w of config.warnings) this.log(`warning: ${w}`);
    const keep: ManagedService[] = [];
    const next: ManagedService[] = [];
    for (const vs of config.virtualServers) {
      const same = this.services.find((m) => m.sameAs(vs));
      if (same) keep.push(same);
      else
        next.push(
          new ManagedService(vs, config.groups, this.director, this.logAbout(vs), this.deps),
        );
    }
    const nextKeys = new Set(next.flatMap((m) => m.specs.map((s) => JSON.stringify(s.key))));
    const carried = new Map<string, Map<string, MonitorSnapshot>>();
    for (const old of this.services) {
      if (keep.includes(old)) continue;
      for (const s of old.specs) carried.set(JSON.stringify(s.key), old.snapshots());
      // A changed virtual server whose services stay is edited in place (connections kept).
      old.stop(!old.specs.every((s) => nextKeys.has(JSON.stringify(s.key))));
    }
    const existing = new Set(this.director.services().map((s) => JSON.stringify(s.key)));
    for (const m of next) {
      const previous = m.specs
        .map((s) => carried.get(JSON.stringify(s.key)))
        .find((p) => p !== undefined);
      m.setSuspended(this.suspends(m));
      m.start(existing, previous);
    }
    this.services = [...keep, ...next];
    this.log(
      `${this.file}: ${config.virtualServers.length} virtual server(s), ${keep.length} unchanged`,
    );
  }

  /** A Log whose lines name the virtual server they are about, as keepalived's do. */
  private logAbout(vs: VirtualServerSpec): Log {
    const name = `virtual_server ${virtualServerName(vs.key)}`;
    return (msg) => this.log(`${name}: ${msg}`);
  }

  /** Each virtual server's real servers and checkers (SIGUSR1's state dump). */
  status(): VirtualServerStatus[] {
    return this.services.map((m) => m.status());
  }

  /** SIGHUP. */
  reload(): void {
    try {
      this.load();
    } catch (err) {
      this.log(`reload refused, running configuration kept: ${(err as Error).message}`);
    }
  }

  /** The checkers' view of every real server (uvsd --web shows it). */
  checkStates(): RealServerCheckState[] {
    return this.services.flatMap((m) => m.checkStates());
  }

  /**
   * The VRRP side says which VIPs its instances manage and which of them this director holds
   * (master): a virtual server with ha_suspend on a managed VIP not held has its checkers
   * suspended, as keepalived suspends them while the VIP is absent.
   */
  setVrrpVips(managed: ReadonlySet<string>, held: ReadonlySet<string>): void {
    this.vrrpVips = managed;
    this.heldVips = held;
    for (const m of this.services) m.setSuspended(this.suspends(m));
  }

  private suspends(m: ManagedService): boolean {
    return (
      m.vs.haSuspend && m.vips.some((vip) => this.vrrpVips.has(vip) && !this.heldVips.has(vip))
    );
  }

  stop(): void {
    for (const m of this.services) m.stop(false);
  }
}
