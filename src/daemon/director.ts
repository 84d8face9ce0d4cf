// DirectorControl over the engine's shared state: what uvsadm's commands (and keepalived.conf)
// do to the tables, and the views ipvsadm's listings are printed from. Every change is compiled
// into a new snapshot and published to the forwarding threads; the daemon adds the side effects
// (routes, neighbours, kernel guard) through `onChange`.
import type { DirectorControl } from '../control/director-control.js';
import { compileSnapshot } from '../engine/compile-snapshot.js';
import { Cf, Cf6, ConnFlag } from '../engine/conn-layout.js';
import type { ConnTable } from '../engine/conn-table.js';
import type { ConnTable6 } from '../engine/conn-table6.js';
import type { Dest } from '../engine/dest.js';
import type { EngineShared } from '../engine/engine-shared.js';
import {
  ControlError,
  type ConnView,
  type DestSpec,
  type DestView,
  type ServiceKey,
  type ServiceSpec,
  type ServiceView,
  type StatsView,
  type TimeoutsView,
} from '../engine/model.js';
import { RATE_PERIOD_MS, RateEstimator } from '../engine/rate-estimator.js';
import type { Service } from '../engine/service.js';
import { ServiceTable } from '../engine/service-table.js';
import { DestCount } from '../engine/shared/dest-counters.js';
import { FrameStat, Stat } from '../engine/shared/thread-stats.js';
import { NO_DEFENSE } from '../engine/empty-snapshot.js';
import type { DefenseSettings, EngineSnapshot, HostFacts } from '../engine/snapshot.js';
import { TCP_STATE_NAMES } from '../engine/tcp-state.js';
import { Timeouts } from '../engine/timeouts.js';
import { DROP_REASON_NAMES } from '../engine/verdict.js';
import { formatIpv4, formatIpv6Words } from '../packet/addr.js';
import { IpProto } from '../packet/ipv4.js';

/** Counters of one service or real server slot: baseline (at creation or -Z) and rates. */
class SlotFigures {
  readonly base = new Float64Array(Stat.Words);
  readonly rates = new RateEstimator();
}

export class Director implements DirectorControl {
  readonly table = new ServiceTable();
  readonly timeoutSettings = new Timeouts();
  private defense: DefenseSettings = NO_DEFENSE;
  private generation = 0;
  private readonly svcFigures = new Map<number, SlotFigures>();
  private readonly destFigures = new Map<number, SlotFigures>();
  private readonly sum = new Float64Array(Stat.Words);
  private lastEstimate = -1;

  constructor(
    readonly shared: EngineShared,
    private readonly clock: () => number,
    private readonly publish: (snapshot: EngineSnapshot) => void,
    private readonly hostFacts: () => HostFacts,
    private readonly onChange: () => void = () => {},
    /** More counters to report (the io backend's), supplied by the daemon. */
    private readonly extraCounters: () => Record<string, number> = () => ({}),
  ) {
    this.republish();
  }

  /** Compiles and publishes the configuration (also after the host's facts changed). */
  republish(): void {
    this.publish(
      compileSnapshot(
        this.table,
        this.timeoutSettings,
        this.hostFacts(),
        ++this.generation,
        this.defense,
      ),
    );
  }

  /** The SYN-flood defences: uvsd's --drop-entry, --drop-packet, …, --first-syn-drop. */
  setDefense(settings: DefenseSettings): void {
    this.defense = settings;
    this.republish();
  }

  private changed(): void {
    this.republish();
    this.onChange();
  }

  addService(spec: ServiceSpec): void {
    const svc = this.table.addService(spec);
    this.shared.sched.reset(svc.id);
    this.svcFigures.set(
      svc.id,
      this.freshFigures((out) => this.shared.stats.sumService(svc.id, out)),
    );
    this.changed();
  }

  editService(spec: ServiceSpec): void {
    const before = this.table.find(spec.key)?.spec;
    const svc = this.table.editService(spec);
    // A new scheduler starts afresh (its shared position belonged to the old one).
    if (before?.scheduler !== spec.scheduler) this.shared.sched.reset(svc.id);
    this.changed();
  }

  deleteService(key: ServiceKey): void {
    this.table.deleteService(key);
    this.changed();
  }

  clear(): void {
    this.table.clear();
    this.changed();
  }

  addDest(key: ServiceKey, spec: DestSpec): void {
    const dest = this.table.addDest(key, spec);
    this.shared.dests.reset(dest.id);
    this.destFigures.set(
      dest.id,
      this.freshFigures((out) => this.shared.stats.sumDest(dest.id, out)),
    );
    this.changed();
  }

  editDest(key: ServiceKey, spec: DestSpec): void {
    const dest = this.table.editDest(key, spec);
    this.shared.dests.updateOverload(dest.id, dest.upperThreshold, dest.lowerThreshold);
    this.changed();
  }

  deleteDest(key: ServiceKey, addr: string, port: number): void {
    this.table.deleteDest(key, addr, port);
    this.changed();
  }

  private freshFigures(read: (out: Float64Array) => void): SlotFigures {
    const f = new SlotFigures();
    read(f.base);
    f.rates.restart(f.base);
    return f;
  }

  zero(key?: ServiceKey): void {
    const services = key ? [this.table.find(key)] : this.table.ordered;
    for (const svc of services) {
      if (!svc) throw new ControlError('E_NO_SERVICE', 'No such service');
      this.svcFigures.set(
        svc.id,
        this.freshFigures((out) => this.shared.stats.sumService(svc.id, out)),
      );
      for (const d of svc.dests) {
        this.destFigures.set(
          d.id,
          this.freshFigures((out) => this.shared.stats.sumDest(d.id, out)),
        );
      }
    }
  }

  setTimeouts(t: TimeoutsView): void {
    if (![t.tcp, t.tcpFin, t.udp].every((v) => Number.isInteger(v) && v >= 0)) {
      throw new ControlError('E_INVALID', 'timeouts must be whole numbers of seconds');
    }
    this.timeoutSettings.set(t.tcp, t.tcpFin, t.udp);
    this.republish();
  }

  timeouts(): TimeoutsView {
    const t = this.timeoutSettings;
    return { tcp: t.tcpEstablished, tcpFin: t.tcpFinWait, udp: t.udp };
  }

  /**
   * Rates every RATE_PERIOD_MS; slots of removed real servers and services that no connection
   * refers to any more are freed. The daemon calls it about once a second.
   */
  tick(now: number): void {
    if (this.lastEstimate < 0) this.lastEstimate = now;
    if (now - this.lastEstimate >= RATE_PERIOD_MS) {
      const period = now - this.lastEstimate;
      this.lastEstimate = now;
      for (const [id, f] of this.svcFigures) {
        this.shared.stats.sumService(id, this.sum);
        f.rates.sample(this.sum, period);
      }
      for (const [id, f] of this.destFigures) {
        this.shared.stats.sumDest(id, this.sum);
        f.rates.sample(this.sum, period);
      }
    }
    const counts = this.shared.dests;
    const unused = (id: number): boolean =>
      counts.get(id, DestCount.Active) +
        counts.get(id, DestCount.Inactive) +
        counts.get(id, DestCount.Persistent) ===
      0;
    if (this.table.release(unused)) {
      for (const id of this.destFigures.keys())
        if (!this.table.destsById[id]) this.destFigures.delete(id);
      for (const id of this.svcFigures.keys())
        if (!this.table.servicesById[id]) this.svcFigures.delete(id);
      this.republish();
    }
  }

  private statsView(base: Float64Array | undefined): StatsView {
    const s = this.sum;
    const b = base ?? new Float64Array(Stat.Words);
    return {
      conns: s[Stat.Conns]! - b[Stat.Conns]!,
      inPkts: s[Stat.InPkts]! - b[Stat.InPkts]!,
      outPkts: s[Stat.OutPkts]! - b[Stat.OutPkts]!,
      inBytes: s[Stat.InBytes]! - b[Stat.InBytes]!,
      outBytes: s[Stat.OutBytes]! - b[Stat.OutBytes]!,
    };
  }

  private destView(d: Dest): DestView {
    const counts = this.shared.dests;
    this.shared.stats.sumDest(d.id, this.sum);
    const f = this.destFigures.get(d.id);
    return {
      ...d.spec(),
      activeConns: counts.get(d.id, DestCount.Active),
      inactiveConns: counts.get(d.id, DestCount.Inactive),
      persistentConns: counts.get(d.id, DestCount.Persistent),
      stats: this.statsView(f?.base),
      rate: f ? f.rates.rate() : new RateEstimator().rate(),
    };
  }

  private serviceView(s: Service): ServiceView {
    const dests = s.dests.map((d) => this.destView(d));
    this.shared.stats.sumService(s.id, this.sum);
    const f = this.svcFigures.get(s.id);
    return {
      ...s.spec,
      dests,
      stats: this.statsView(f?.base),
      rate: f ? f.rates.rate() : new RateEstimator().rate(),
    };
  }

  services(): readonly ServiceView[] {
    return this.table.ordered.map((s) => this.serviceView(s));
  }

  connections(): readonly ConnView[] {
    return this.connViews(ConnFlag.Used);
  }

  /** The connections learnt from a sync master (this director is, or was, a backup). */
  syncedConnections(): readonly ConnView[] {
    return this.connViews(ConnFlag.Used | ConnFlag.Synced);
  }

  /** The entries of both tables that have every flag of `flags`, as -Lnc shows them. */
  private connViews(flags: number): ConnView[] {
    const out: ConnView[] = [];
    this.listConnections(this.shared.conns, formatIpv4Entry, flags, out);
    this.listConnections(this.shared.conns6, formatIpv6Entry, flags, out);
    return out;
  }

  /** The entries of one table (IPv4 or IPv6) with `flags`, its addresses printed by `addr`. */
  private listConnections<T extends ConnTable>(
    c: T,
    addr: (c: T, i: number, field: 'c' | 'v' | 'd') => string,
    flags: number,
    out: ConnView[],
  ): void {
    const now = this.clock();
    for (let i = 0; i < c.capacity; i++) {
      if ((c.flags(i) & flags) !== flags) continue;
      const tcp = c.proto(i) === IpProto.TCP;
      const template = (c.flags(i) & ConnFlag.Template) !== 0;
      const proto = c.proto(i);
      // The real server's own address (of either family: a TUN server may be of the other one).
      const dest = this.table.destsById[c.word(i, Cf.DestId)];
      out.push({
        proto: proto === 0 ? 'IP' : tcp ? 'TCP' : 'UDP',
        expiresMs: Math.max(0, c.expires(i) - now),
        state: template ? 'NONE' : tcp ? TCP_STATE_NAMES[c.state(i)]! : 'UDP',
        clientAddr: addr(c, i, 'c'),
        clientPort: c.cport(i),
        virtualAddr: addr(c, i, 'v'),
        virtualPort: c.vport(i),
        destAddr: dest?.addrText ?? addr(c, i, 'd'),
        destPort: c.dport(i),
        isTemplate: template,
      });
    }
  }

  connTableSize(): number {
    return this.shared.conns.capacity;
  }

  counters(): Readonly<Record<string, number>> {
    const st = this.shared.stats;
    const out: Record<string, number> = {
      frames: st.sumFrame(FrameStat.Frames),
      forwarded: st.sumFrame(FrameStat.Forwarded),
      replied: st.sumFrame(FrameStat.Replied),
      not_ours: st.sumFrame(FrameStat.NotOurs),
      frag_needed: st.sumFrame(FrameStat.FragNeeded),
      port_unreachable: st.sumFrame(FrameStat.PortUnreachable),
      evicted: st.sumFrame(FrameStat.Evicted),
      syn_retried: st.sumFrame(FrameStat.SynRetried),
    };
    DROP_REASON_NAMES.forEach(
      (name, r) => (out[`drop.${name}`] = st.sumFrame(FrameStat.DropBase + r)),
    );
    return {
      ...out,
      ...this.extraCounters(),
      connections: this.shared.conns.count + this.shared.conns6.count,
      connections_capacity: this.shared.conns.capacity,
      // The IPv4 table's shared memory (entries, chains, locks, its wheel), and the IPv6 one's:
      // each reserves --conn-table-size entries, used as it fills.
      connection_table_bytes: this.shared.tableBytes(4),
      connection_table6_bytes: this.shared.tableBytes(6),
    };
  }
}

function formatIpv4Entry(c: ConnTable, i: number, field: 'c' | 'v' | 'd'): string {
  return formatIpv4(field === 'c' ? c.caddr(i) : field === 'v' ? c.vaddr(i) : c.daddr(i));
}

function formatIpv6Entry(c: ConnTable6, i: number, field: 'c' | 'v' | 'd'): string {
  const at = field === 'c' ? Cf6.Caddr : field === 'v' ? Cf6.Vaddr : Cf6.Daddr;
  return formatIpv6Words(c.u, c.addrOff(i, at));
}
