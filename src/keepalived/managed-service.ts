// A keepalived virtual_server kept in the director: its real servers present while their
// checkers pass (or at weight 0 with inhibit_on_failure), the quorum of live weight with
// its hysteresis, the sorry server taking every new connection below quorum, and the
// notify/quorum scripts run on each change. ha_suspend stops the checkers while the VRRP
// instance that holds the virtual server's VIP is not master (their verdicts are kept).
import { spawn } from 'node:child_process';
import type { DirectorControl } from '../control/director-control.js';
import { FwdMethod, type DestSpec, type ServiceKey, type ServiceSpec } from '../engine/model.js';
import {
  RealServerMonitor,
  type MonitorDeps,
  type MonitorEvent,
  type MonitorSnapshot,
} from '../health/real-server-monitor.js';
import type { GroupMember, KeepalivedConfig, RealServerSpec, VirtualServerSpec } from './model.js';
import { Quorum } from './quorum.js';
import { virtualServerName, type VirtualServerStatus } from './status.js';

const METHOD: Record<'NAT' | 'DR' | 'TUN', FwdMethod> = {
  NAT: FwdMethod.Masq,
  DR: FwdMethod.Route,
  TUN: FwdMethod.Tunnel,
};

export type Log = (msg: string) => void;

/** What a managed service needs of the world: the monitors' clock and checkers, and scripts. */
export interface ServiceDeps extends MonitorDeps {
  /** Runs a notify or quorum script line in the background. */
  readonly runScript: (line: string) => void;
}

/** Runs a keepalived script line with sh, in the background; its failures are logged. */
export function runScript(line: string, log: Log): void {
  const child = spawn('/bin/sh', ['-c', line], { stdio: 'ignore' });
  child.once('error', (e) => log(`script "${line}": ${e.message}`));
  child.once('exit', (code) => {
    if (code !== 0) log(`script "${line}" exited ${code}`);
  });
}

/**
 * The family of a virtual server whose key does not tell it (a firewall mark): ip_family, else
 * its real servers' (as keepalived takes it from them), else IPv4.
 */
function markFamily(vs: VirtualServerSpec, member?: GroupMember): 4 | 6 {
  return member?.family ?? vs.family ?? (vs.realServers[0]?.ip.includes(':') ? 6 : 4);
}

/** The director's services for a virtual_server (a group gives one per member). */
export function serviceSpecs(
  vs: VirtualServerSpec,
  groups: KeepalivedConfig['groups'],
): ServiceSpec[] {
  const keyOf = (m: GroupMember | VirtualServerSpec['key']): ServiceKey =>
    m.kind === 'fwmark'
      ? {
          kind: 'fwmark',
          fwmark: m.fwmark!,
          ...(markFamily(vs, 'family' in m ? m : undefined) === 6 ? { family: 'inet6' } : {}),
        }
      : {
          kind: 'addr',
          proto: vs.protocol,
          vip: (m as { ip: string }).ip,
          port: (m as { port: number }).port,
        };
  const specOf = (key: ServiceKey): ServiceSpec => {
    const v6 = key.kind === 'fwmark' ? key.family === 'inet6' : key.vip.includes(':');
    return {
      key,
      scheduler: vs.scheduler,
      ...(vs.persistenceTimeout !== undefined
        ? {
            persistence: {
              timeout: vs.persistenceTimeout,
              // One client: a /32 for IPv4, a /128 for IPv6 (-M as a prefix length).
              netmask: vs.persistenceGranularity ?? (v6 ? '128' : '255.255.255.255'),
            },
          }
        : {}),
      ...(vs.schedFlags.length > 0 ? { schedFlags: vs.schedFlags } : {}),
    };
  };
  if (vs.key.kind === 'group') return (groups.get(vs.key.name) ?? []).map((m) => specOf(keyOf(m)));
  return [specOf(keyOf(vs.key))];
}

/** A real server's checkers as last seen (for the web view). */
export interface RealServerCheckState {
  readonly service: ServiceKey;
  readonly addr: string;
  readonly port: number;
  readonly method: FwdMethod;
  readonly checkers: readonly string[];
  readonly up: boolean;
  /** Why it last changed ("" until it did). */
  readonly reason: string;
  /** True for the sorry server (up: it is taking the new connections). */
  readonly sorry: boolean;
}

export class ManagedService {
  readonly specs: ServiceSpec[];
  private monitors: RealServerMonitor<RealServerSpec>[] = [];
  private quorum: Quorum | undefined;
  private suspended = false;
  /** What this service put in the director: "addr:port" → weight. */
  private applied = new Map<string, DestSpec>();
  /** The last checker verdict's reason of each real server, "ip:port" → reason. */
  private readonly reasons = new Map<string, string>();

  constructor(
    readonly vs: VirtualServerSpec,
    groups: KeepalivedConfig['groups'],
    private readonly director: DirectorControl,
    private readonly log: Log,
    private readonly deps: ServiceDeps,
  ) {
    this.specs = serviceSpecs(vs, groups);
  }

  /** The VIPs of its services (fwmark services have none). */
  get vips(): string[] {
    return this.specs.flatMap((s) => (s.key.kind === 'addr' ? [s.key.vip] : []));
  }

  /**
   * Adds the services (or edits them to this spec) and starts the checkers. `previous` holds
   * the verdicts of the real servers' monitors before a reload, by "ip:port".
   */
  start(
    existing: ReadonlySet<string>,
    previous: ReadonlyMap<string, MonitorSnapshot> = new Map(),
  ): void {
    for (const s of this.specs) {
      if (existing.has(JSON.stringify(s.key))) {
        // Taken over from a previous configuration: its real servers are ours to reconcile.
        this.director.editService(s);
        const view = this.director
          .services()
          .find((v) => JSON.stringify(v.key) === JSON.stringify(s.key));
        for (const d of view?.dests ?? []) this.applied.set(`${d.addr}:${d.port}`, d);
      } else {
        this.director.addService(s);
      }
    }
    this.monitors = this.vs.realServers.map(
      (rs) =>
        new RealServerMonitor(
          rs,
          this.vs,
          (m, e) => this.changed(m, e),
          this.deps,
          previous.get(`${rs.ip}:${rs.port}`),
        ),
    );
    this.quorum = new Quorum(this.vs.quorum, this.vs.hysteresis, this.liveWeight());
    this.sync();
    if (!this.suspended) for (const m of this.monitors) m.start();
  }

  /** The monitors' verdicts by "ip:port", for the next configuration to carry on. */
  snapshots(): Map<string, MonitorSnapshot> {
    return new Map(this.monitors.map((m) => [`${m.rs.ip}:${m.rs.port}`, m.snapshot()]));
  }

  /** ha_suspend: stops (true) or resumes (false) the checkers; nothing else changes. */
  setSuspended(suspended: boolean): void {
    if (suspended === this.suspended) return;
    this.suspended = suspended;
    this.log(`checkers ${suspended ? 'suspended (not VRRP master)' : 'resumed'}`);
    for (const m of this.monitors) {
      if (suspended) m.stop();
      else m.start();
    }
  }

  private liveWeight(): number {
    return this.monitors.filter((m) => m.up).reduce((w, m) => w + m.weight, 0);
  }

  private get quorumUp(): boolean {
    return this.quorum?.up ?? true;
  }

  private changed(m: RealServerMonitor<RealServerSpec>, e: MonitorEvent): void {
    this.reasons.set(`${m.rs.ip}:${m.rs.port}`, e.reason);
    this.log(
      `${m.rs.ip}:${m.rs.port} ${e.up ? 'UP' : 'DOWN'} (${e.reason})${e.weight !== m.rs.weight ? ` weight ${e.weight}` : ''}`,
    );
    const script = e.up ? m.rs.notifyUp : m.rs.notifyDown;
    if (script) this.deps.runScript(script);
    const live = this.liveWeight();
    const { quorum, hysteresis } = this.vs;
    const change = this.quorum?.update(live);
    if (change === 'lost') {
      this.log(
        `quorum lost (${live} < ${quorum} - ${hysteresis})${this.vs.sorryServer ? `: sorry server ${this.vs.sorryServer.ip}:${this.vs.sorryServer.port}` : ''}`,
      );
      if (this.vs.quorumDown) this.deps.runScript(this.vs.quorumDown);
    } else if (change === 'regained') {
      this.log(`quorum regained (${live} >= ${quorum} + ${hysteresis})`);
      if (this.vs.quorumUp) this.deps.runScript(this.vs.quorumUp);
    }
    this.sync();
  }

  private destOf(
    rs: Pick<RealServerSpec, 'ip' | 'port' | 'upperThreshold' | 'lowerThreshold'> & {
      method?: 'NAT' | 'DR' | 'TUN';
    },
    weight: number,
  ): DestSpec {
    return {
      addr: rs.ip,
      port: rs.port,
      method: METHOD[rs.method ?? this.vs.method],
      weight,
      upperThreshold: rs.upperThreshold,
      lowerThreshold: rs.lowerThreshold,
    };
  }

  /** The real servers that should be in the director now. */
  private desired(): DestSpec[] {
    const out: DestSpec[] = [];
    for (const m of this.monitors) {
      if (m.up && this.quorumUp) out.push(this.destOf(m.rs, m.weight));
      else if (m.rs.inhibitOnFailure) out.push(this.destOf(m.rs, 0));
    }
    const sorry = this.vs.sorryServer;
    if (sorry && (!this.quorumUp || this.vs.sorryServerInhibit)) {
      out.push(
        this.destOf(
          { ip: sorry.ip, port: sorry.port, upperThreshold: 0, lowerThreshold: 0 },
          this.quorumUp ? 0 : 1,
        ),
      );
    }
    return out;
  }

  private sync(): void {
    const want = new Map(this.desired().map((d) => [`${d.addr}:${d.port}`, d]));
    for (const s of this.specs) {
      for (const [k, d] of this.applied)
        if (!want.has(k)) this.quietly(() => this.director.deleteDest(s.key, d.addr, d.port));
      for (const [k, d] of want) {
        const had = this.applied.get(k);
        if (!had) this.quietly(() => this.director.addDest(s.key, d));
        else if (had.weight !== d.weight || had.method !== d.method)
          this.quietly(() => this.director.editDest(s.key, d));
      }
    }
    this.applied = want;
  }

  private quietly(op: () => void): void {
    try {
      op();
    } catch (err) {
      this.log(`${(err as Error).message}`);
    }
  }

  /** Each real server's checker state, and the sorry server's, per service. */
  checkStates(): RealServerCheckState[] {
    const out: RealServerCheckState[] = [];
    for (const service of this.specs.map((s) => s.key)) {
      for (const m of this.monitors) {
        out.push({
          service,
          addr: m.rs.ip,
          port: m.rs.port,
          method: METHOD[m.rs.method ?? this.vs.method],
          checkers: m.rs.checkers.map((c) => c.type),
          up: m.up,
          reason: this.reasons.get(`${m.rs.ip}:${m.rs.port}`) ?? '',
          sorry: false,
        });
      }
      const sorry = this.vs.sorryServer;
      if (sorry) {
        const up = !this.quorumUp;
        const reason = up ? 'quorum lost' : '';
        out.push({
          service,
          addr: sorry.ip,
          port: sorry.port,
          method: METHOD[this.vs.method],
          checkers: [],
          up,
          reason,
          sorry: true,
        });
      }
    }
    return out;
  }

  /** The real servers' and checkers' states (SIGUSR1's state dump). */
  status(): VirtualServerStatus {
    const sorry = this.vs.sorryServer;
    return {
      name: virtualServerName(this.vs.key),
      quorumUp: this.quorumUp,
      realServers: this.monitors.map((m) => ({
        addr: m.rs.ip,
        port: m.rs.port,
        weight: m.weight,
        up: m.up,
        checkers: m.checkerStates(),
      })),
      ...(sorry ? { sorryServer: `${sorry.ip}:${sorry.port}` } : {}),
    };
  }

  /** Stops the checkers; with `remove`, takes the services out of the director. */
  stop(remove: boolean): void {
    for (const m of this.monitors) m.stop();
    // omega: a virtual server going away with its quorum up runs quorum_down (keepalived).
    if (remove && this.vs.omega && this.quorumUp && this.vs.quorumDown)
      this.deps.runScript(this.vs.quorumDown);
    if (remove) for (const s of this.specs) this.quietly(() => this.director.deleteService(s.key));
  }

  /** Same virtual server, same real servers and checkers: a reload keeps it as it is. */
  sameAs(vs: VirtualServerSpec): boolean {
    const strip = (v: VirtualServerSpec): string =>
      JSON.stringify(v, (k, val: unknown) => (k === 'where' ? undefined : val));
    return strip(vs) === strip(this.vs);
  }
}
