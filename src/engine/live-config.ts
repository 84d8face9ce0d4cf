// The configuration a forwarding thread runs on, built from a snapshot between two batches:
// services by key for the per-frame lookups, their real servers and schedulers, the director's
// interfaces and addresses, the timeouts. Per-frame lookups allocate nothing.
import { IpProto } from '../packet/ipv4.js';
import { LiveConfig6 } from './live-config6.js';
import { LiveDest } from './live-dest.js';
import { createScheduler } from './schedulers/registry.js';
import type { Scheduler } from './schedulers/scheduler.js';
import type { SchedStates } from './schedulers/sched-state.js';
import type { DestCounters } from './shared/dest-counters.js';
import type { ThreadId } from './shared/spin-lock.js';
import type { DefenseSettings, EngineSnapshot, SnapshotService } from './snapshot.js';
import { TcpState } from './tcp-state.js';

export class LiveService {
  readonly id: number;
  readonly fwmark: number;
  readonly family: 4 | 6;
  readonly proto: number;
  readonly vip: number;
  /** IPv6 VIP as four words (zeros for IPv4 and firewall-mark services). */
  readonly vip6: Uint32Array;
  readonly port: number;
  readonly persistenceMs: number;
  readonly persistenceMask: number;
  /** IPv6: -M as a prefix length. */
  readonly persistencePrefix: number;
  readonly schedulerKey: string;

  constructor(
    s: SnapshotService,
    readonly dests: readonly LiveDest[],
    readonly scheduler: Scheduler,
  ) {
    this.id = s.id;
    this.fwmark = s.fwmark | 0;
    this.family = s.family;
    this.proto = s.proto;
    this.vip = s.vip | 0;
    this.vip6 = s.vip6.length === 4 ? Uint32Array.from(s.vip6) : new Uint32Array(4);
    this.port = s.port;
    this.persistenceMs = s.persistenceMs;
    this.persistenceMask = s.persistenceMask;
    this.persistencePrefix = s.persistencePrefix;
    this.schedulerKey = schedulerKey(s);
  }
}

function schedulerKey(s: SnapshotService): string {
  return `${s.scheduler}/${s.schedFlags.join(',')}`;
}

export class LiveConfig {
  readonly generation: number;
  readonly servicesById: (LiveService | undefined)[] = [];
  readonly destsById: (LiveDest | undefined)[] = [];
  readonly markIfIndex: number;
  /** Timeouts in ms: TCP by state, UDP. */
  readonly tcpTimeoutMs: Float64Array;
  readonly udpTimeoutMs: number;
  readonly defense: DefenseSettings;
  /**
   * Address services by VIP then port. Addresses are signed 32-bit integers here (the fast path's
   * form: no number above 2^31, which would be boxed at each lookup), ports small integers.
   */
  private readonly tcp = new Map<number, Map<number, LiveService>>();
  private readonly udp = new Map<number, Map<number, LiveService>>();
  /** IPv6 services, VIPs and the director's IPv6 addresses. */
  readonly v6: LiveConfig6<LiveService>;
  private readonly byMark = new Map<number, LiveService>();
  private readonly vips = new Set<number>();
  /** By interface index (small integers in a namespace): arrays, read per frame. */
  private readonly macs: (Buffer | undefined)[] = [];
  private readonly mtus: number[] = [];
  private readonly addrs: number[] = [];
  private readonly local: Set<number>;
  private readonly disowned: Set<number>;
  private readonly hasDisowned: boolean;

  /**
   * `previous` is the configuration this one replaces: a service that keeps its scheduler keeps
   * the scheduler's instance (lblc's table, mh's lookup table are rebuilt only for new servers).
   */
  constructor(
    snap: EngineSnapshot,
    counts: DestCounters,
    sched: SchedStates,
    thread: ThreadId,
    previous?: LiveConfig,
  ) {
    this.generation = snap.generation;
    this.v6 = new LiveConfig6(snap);
    for (const d of snap.dests) this.destsById[d.id] = new LiveDest(d, counts);
    for (const s of snap.services) {
      const dests = s.destIds.map((id) => this.destsById[id]).filter((d) => d !== undefined);
      const old = previous?.servicesById[s.id];
      let scheduler = old && old.schedulerKey === schedulerKey(s) ? old.scheduler : undefined;
      scheduler ??= createScheduler(s.scheduler, s.schedFlags, sched.of(s.id, thread));
      if (!scheduler) continue; // the control plane refuses unknown schedulers before this
      scheduler.destsChanged(dests);
      const svc = new LiveService(s, dests, scheduler);
      this.servicesById[s.id] = svc;
      if (s.family === 6) this.v6.add(svc);
      else if (s.fwmark !== 0) this.byMark.set(s.fwmark | 0, svc);
      else {
        const byVip = s.proto === IpProto.TCP ? this.tcp : this.udp;
        let ports = byVip.get(s.vip | 0);
        if (!ports) byVip.set(s.vip | 0, (ports = new Map<number, LiveService>()));
        ports.set(s.port, svc);
        this.vips.add(s.vip | 0);
      }
    }
    for (const i of snap.interfaces) {
      this.macs[i.ifIndex] = Buffer.from(i.mac);
      this.mtus[i.ifIndex] = i.mtu;
      this.addrs[i.ifIndex] = i.address;
    }
    this.local = new Set(snap.localAddresses.map((a) => a | 0));
    this.disowned = new Set(snap.disownedVips.map((a) => a | 0));
    this.hasDisowned = this.disowned.size > 0;
    this.markIfIndex = snap.markIfIndex;
    this.tcpTimeoutMs = Float64Array.from(snap.tcpTimeouts, (s) => s * 1000);
    this.udpTimeoutMs = snap.udpTimeout * 1000;
    this.defense = snap.defense;
  }

  /** The address service of (proto, vip, port). */
  lookup(proto: number, vip: number, port: number): LiveService | undefined {
    return (proto === IpProto.TCP ? this.tcp : this.udp).get(vip | 0)?.get(port);
  }

  /** The service a new flow belongs to: its port's, else the VIP's all-ports (port 0) one. */
  lookupFlow(proto: number, vip: number, port: number): LiveService | undefined {
    const map = proto === IpProto.TCP ? this.tcp : proto === IpProto.UDP ? this.udp : undefined;
    const ports = map?.get(vip | 0);
    return ports ? (ports.get(port) ?? ports.get(0)) : undefined;
  }

  lookupMark(mark: number): LiveService | undefined {
    return this.byMark.get(mark | 0);
  }

  isVip(addr: number): boolean {
    return this.vips.has(addr | 0);
  }

  interfaceMac(ifIndex: number): Buffer | undefined {
    return this.macs[ifIndex];
  }

  interfaceMtu(ifIndex: number): number {
    return this.mtus[ifIndex] ?? 1500;
  }

  /** The director's own IPv4 address on an interface (0: none). */
  interfaceAddress(ifIndex: number): number {
    return this.addrs[ifIndex] ?? 0;
  }

  isLocalAddress(ip: number): boolean {
    return this.local.has(ip | 0);
  }

  /** A VIP held by the other director of a VRRP pair now (this one is backup). */
  isDisowned(ip: number): boolean {
    return this.hasDisowned && this.disowned.has(ip | 0);
  }

  /** Timeout in ms for a connection of `proto` in TCP `state`. */
  timeoutMs(proto: number, state: TcpState): number {
    return proto === IpProto.TCP ? this.tcpTimeoutMs[state]! : this.udpTimeoutMs;
  }
}
