// The connection tables' side of the IPVS sync protocol (sync/ speaks it on the wire), IPv4 and
// IPv6. Master: the forwarding threads queue the connections IPVS's rules say to send (state
// changes, every 50th packet, their templates: conn-lifecycle.ts), and EngineSyncSource reads
// those entries, from either table, into SyncConn records. Backup: EngineSyncSink creates or
// updates the entries a master described, in the table of their family, flagged Synced and
// bound to this director's own service and real server, so that when this director becomes
// master it forwards them as if it had scheduled them.
import { Cf, Cf6, ConnFlag } from '../engine/conn-layout.js';
import { TemplateFiller } from '../engine/conn-lifecycle.js';
import type { ConnTable } from '../engine/conn-table.js';
import type { TemplateInit6 } from '../engine/conn-table6.js';
import type { EngineShared } from '../engine/engine-shared.js';
import type { ExpiryWheel } from '../engine/expiry-wheel.js';
import { FwdMethod } from '../engine/model.js';
import type { ServiceTable } from '../engine/service-table.js';
import { DestCount } from '../engine/shared/dest-counters.js';
import { TcpState } from '../engine/tcp-state.js';
import {
  formatIpv4,
  formatIpv6,
  IPV6_ALEN,
  readIpv6Words,
  writeIpv6Words,
} from '../packet/addr.js';
import { IpProto } from '../packet/ipv4.js';
import { IpvsConnFlag, type SyncConn, type SyncConn4, type SyncConn6 } from '../sync/sync-conn.js';
import type { SyncSink, SyncSource } from '../sync/sync-ports.js';
import type { ClientWayFinder } from './client-ways.js';
import { bindConnection } from './conn-binding.js';

/** uvs's ConnFlag bits → IP_VS_CONN_F_* (the forwarding method has the same numbers). */
function ipvsFlags(flags: number): number {
  let f = flags & ConnFlag.MethodMask;
  if (flags & ConnFlag.Inactive) f |= IpvsConnFlag.Inactive;
  if (flags & ConnFlag.Template) f |= IpvsConnFlag.Template;
  return f;
}

/** The fields of entry `i` that do not depend on its family. */
function entryFields(c: ConnTable, i: number) {
  const flags = c.flags(i);
  const template = (flags & ConnFlag.Template) !== 0;
  const proto = c.proto(i);
  return {
    protocol: proto,
    flags: ipvsFlags(flags),
    state: template || proto !== IpProto.TCP ? 0 : c.state(i),
    cport: c.cport(i),
    vport: c.vport(i),
    dport: c.dport(i),
    fwmark: c.word(i, Cf.Fwmark) >>> 0,
    timeout: Math.max(1, Math.round(c.word(i, Cf.TimeoutMs) / 1000)),
  };
}

export class EngineSyncSource implements SyncSource {
  /** Entries already read in this drain: IPv4 slots as they are, IPv6 ones as ~slot. */
  private readonly seen = new Set<number>();

  constructor(private readonly shared: EngineShared) {}

  /** The master daemon runs: the forwarding threads queue what to send. */
  setActive(active: boolean): void {
    this.shared.syncQueues.setActive(active);
  }

  drain(max: number): SyncConn[] {
    const out: SyncConn[] = [];
    this.seen.clear();
    this.shared.syncQueues.drain(max, (i, v6) => {
      const key = v6 ? ~i : i;
      // Queued twice before this drain, or freed since: sent once, or not at all.
      if (this.seen.has(key) || !(v6 ? this.shared.conns6 : this.shared.conns).isUsed(i)) return;
      this.seen.add(key);
      out.push(v6 ? this.describe6(i) : this.describe(i));
    });
    return out;
  }

  private describe(i: number): SyncConn4 {
    const c = this.shared.conns;
    return {
      ...entryFields(c, i),
      caddr: c.caddr(i) >>> 0,
      vaddr: c.vaddr(i) >>> 0,
      daddr: c.daddr(i) >>> 0,
    };
  }

  /** An IPv6 entry: its full addresses from the entry's tail (an IPv4 real server ::ffff:-mapped). */
  private describe6(i: number): SyncConn6 {
    const c = this.shared.conns6;
    const bytes = (field: Cf6): Buffer => {
      const b = Buffer.alloc(IPV6_ALEN);
      writeIpv6Words(b, 0, c.u, c.addrOff(i, field));
      return b;
    };
    return {
      family: 6,
      ...entryFields(c, i),
      caddr: bytes(Cf6.Caddr),
      vaddr: bytes(Cf6.Vaddr),
      daddr: bytes(Cf6.Daddr),
    };
  }

  /** Queued connections lost because a thread's queue was full. */
  get dropped(): number {
    return this.shared.syncQueues.dropped;
  }
}

/** TemplateFiller with the real server's IPv6 words, for the IPv6 table's templates. */
class TemplateFiller6 extends TemplateFiller implements TemplateInit6 {
  daddr6 = new Uint32Array(4);
  daddr6Off = 0;
}

export interface SyncSinkCounts {
  /** Connections created from sync messages. */
  created: number;
  /** Connections (or templates) refreshed. */
  updated: number;
  /** Of a service or real server this director does not have. */
  unbound: number;
  /** The connection table was full. */
  full: number;
}

/** Where a synced connection goes: its service and real server here, its expiry. */
interface Binding {
  readonly method: FwdMethod;
  readonly svc: number;
  readonly dest: number;
  readonly now: number;
  readonly expires: number;
}

const NO_WAYS: ClientWayFinder = { learn: () => {}, learn6: () => {} };

export class EngineSyncSink implements SyncSink {
  readonly counts: SyncSinkCounts = { created: 0, updated: 0, unbound: 0, full: 0 };
  private readonly template: TemplateFiller;
  private readonly template6: TemplateFiller6;
  /** The client's, virtual and real server's words of an IPv6 entry being applied. */
  private readonly c6 = new Uint32Array(4);
  private readonly v6 = new Uint32Array(4);
  private readonly d6 = new Uint32Array(4);

  constructor(
    private readonly shared: EngineShared,
    private readonly table: ServiceTable,
    /** The engine's clock (expiry times in the table are on it, not on the daemon's). */
    private readonly clock: () => number,
    /** Finds the way back to the client of a synced NAT connection (client-ways.ts). */
    private readonly ways: ClientWayFinder = NO_WAYS,
  ) {
    this.template = new TemplateFiller(shared.conns);
    this.template6 = new TemplateFiller6(shared.conns6);
  }

  apply(s: SyncConn): void {
    const now = this.clock();
    const template = (s.flags & IpvsConnFlag.Template) !== 0;
    const method = (s.flags & IpvsConnFlag.FwdMask) as FwdMethod;
    const bound = bindConnection(this.table, {
      proto: s.protocol,
      family: s.family === 6 ? 6 : 4,
      vaddr: s.family === 6 ? formatIpv6(s.vaddr) : formatIpv4(s.vaddr),
      vport: s.vport,
      fwmark: s.fwmark,
      daddr: s.family === 6 ? formatIpv6(s.daddr) : formatIpv4(s.daddr),
      dport: s.dport,
      method,
      template,
    });
    if (!bound) {
      this.counts.unbound++;
      return;
    }
    const b = {
      method,
      svc: bound.svc.id,
      dest: bound.dest.id,
      now,
      expires: now + s.timeout * 1000,
    };
    if (s.family === 6) {
      readIpv6Words(s.caddr, 0, this.c6);
      readIpv6Words(s.vaddr, 0, this.v6);
      if (template) this.applyTemplate6(s, b);
      else this.applyConn6(s, b);
    } else if (template) this.applyTemplate(s, b);
    else this.applyConn(s, b);
  }

  /** The template's fields, but for its real server's address. */
  private templateInit<T extends TemplateFiller>(t: T, s: SyncConn, b: Binding): T {
    t.dport = s.dport;
    t.flags = (s.flags & IpvsConnFlag.FwdMask) | ConnFlag.Synced;
    t.svc = b.svc;
    t.dest = b.dest;
    t.fwmark = s.fwmark | 0;
    t.timeoutMs = s.timeout * 1000;
    t.now = b.now;
    return t;
  }

  private applyTemplate(s: SyncConn4, b: Binding): void {
    const t = this.templateInit(this.template, s, b);
    t.daddr = s.daddr | 0;
    const i = this.shared.conns.templateFor(s.protocol, s.caddr | 0, s.vaddr | 0, s.vport, t);
    this.templateApplied(this.shared.conns, this.shared.wheel, i, t.created, s, b);
  }

  private applyTemplate6(s: SyncConn6, b: Binding): void {
    const t = this.templateInit(this.template6, s, b);
    readIpv6Words(s.daddr, 0, t.daddr6);
    const c = this.shared.conns6;
    const i = c.templateFor6(s.protocol, this.c6, 0, this.v6, 0, s.vport, t);
    this.templateApplied(c, this.shared.wheel6, i, t.created, s, b);
  }

  private templateApplied(
    c: ConnTable,
    wheel: ExpiryWheel,
    i: number,
    created: boolean,
    s: SyncConn,
    b: Binding,
  ): void {
    if (i < 0) {
      this.counts.full++;
    } else if (created) {
      this.shared.dests.add(b.dest, DestCount.Persistent, 1);
      wheel.add(i);
      this.counts.created++;
    } else {
      this.refresh(c, wheel, i, b.expires, s.timeout * 1000);
      this.counts.updated++;
    }
  }

  private applyConn(s: SyncConn4, b: Binding): void {
    const c = this.shared.conns;
    const i = c.lookupIn(s.protocol, s.caddr | 0, s.cport, s.vaddr | 0, s.vport);
    if (i >= 0) return this.update(c, this.shared.wheel, i, s, b);
    const flags = this.newFlags(s, b);
    const n = c.prepare(
      s.protocol,
      s.caddr | 0,
      s.cport,
      s.vaddr | 0,
      s.vport,
      s.daddr | 0,
      s.dport,
      flags,
    );
    if (this.created(c, this.shared.wheel, n, s, b) && b.method === FwdMethod.Masq)
      this.ways.learn(n, s.caddr);
  }

  private applyConn6(s: SyncConn6, b: Binding): void {
    const c = this.shared.conns6;
    const i = c.lookupIn6(s.protocol, this.c6, 0, s.cport, this.v6, 0, s.vport);
    if (i >= 0) return this.update(c, this.shared.wheel6, i, s, b);
    const d = this.d6;
    readIpv6Words(s.daddr, 0, d);
    const flags = this.newFlags(s, b);
    const n = c.prepare6(
      s.protocol,
      this.c6,
      0,
      s.cport,
      this.v6,
      0,
      s.vport,
      d,
      0,
      s.dport,
      flags,
    );
    if (this.created(c, this.shared.wheel6, n, s, b) && b.method === FwdMethod.Masq)
      this.ways.learn6(n, formatIpv6(s.caddr));
  }

  private newFlags(s: SyncConn, b: Binding): number {
    const inactive = (s.flags & IpvsConnFlag.Inactive) !== 0;
    return b.method | ConnFlag.Synced | (inactive ? ConnFlag.Inactive : 0);
  }

  /** As ip_vs_proc_conn on a known connection: the state, the accounting and the timer follow. */
  private update(c: ConnTable, wheel: ExpiryWheel, i: number, s: SyncConn, b: Binding): void {
    const inactive = (s.flags & IpvsConnFlag.Inactive) !== 0;
    c.lockConn(i);
    const flags = c.flags(i);
    const wasInactive = (flags & ConnFlag.Inactive) !== 0;
    if (wasInactive !== inactive) {
      const d = c.word(i, Cf.DestId);
      this.shared.dests.add(d, DestCount.Active, inactive ? -1 : 1);
      this.shared.dests.add(d, DestCount.Inactive, inactive ? 1 : -1);
      c.setFlags(i, inactive ? flags | ConnFlag.Inactive : flags & ~ConnFlag.Inactive);
    }
    c.setState(i, s.protocol === IpProto.TCP ? s.state : TcpState.None);
    c.unlockConn(i);
    this.refresh(c, wheel, i, b.expires, s.timeout * 1000);
    this.counts.updated++;
  }

  /** Fills and publishes prepared entry `i` (-1: the table was full); true when made. */
  private created(c: ConnTable, wheel: ExpiryWheel, i: number, s: SyncConn, b: Binding): boolean {
    if (i < 0) {
      this.counts.full++;
      return false;
    }
    c.setState(i, s.protocol === IpProto.TCP ? s.state : TcpState.None);
    c.setWord(i, Cf.SvcId, b.svc);
    c.setWord(i, Cf.DestId, b.dest);
    c.setWord(i, Cf.Fwmark, s.fwmark | 0);
    // The way back to the client is learnt from its first packet here (engine.ts, engine6.ts).
    c.setWord(i, Cf.ClientIf, -1);
    c.setWord(i, Cf.ControlOf, -1);
    c.setWord(i, Cf.TimeoutMs, s.timeout * 1000);
    c.setExpires(i, b.expires);
    c.publish(i);
    const inactive = (s.flags & IpvsConnFlag.Inactive) !== 0;
    this.shared.dests.add(b.dest, inactive ? DestCount.Inactive : DestCount.Active, 1);
    wheel.add(i);
    this.counts.created++;
    return true;
  }

  private refresh(
    c: ConnTable,
    wheel: ExpiryWheel,
    i: number,
    expires: number,
    timeoutMs: number,
  ): void {
    const shortened = expires < c.expires(i);
    c.setExpires(i, expires);
    c.setWord(i, Cf.TimeoutMs, timeoutMs);
    if (shortened) wheel.expiryShortened(i);
  }
}
