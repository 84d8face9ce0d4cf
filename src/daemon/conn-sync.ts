// The connection table's side of the IPVS sync protocol (sync/ speaks it on the wire).
// Master: the forwarding threads queue the connections IPVS's rules say to send (state changes,
// every 50th packet, their templates: conn-lifecycle.ts), and EngineSyncSource reads those
// entries into SyncConn records. Backup: EngineSyncSink creates or updates the entries a master
// described, flagged Synced and bound to this director's own service and real server, so that
// when this director becomes master it forwards them as if it had scheduled them.
import { Cf, ConnFlag } from '../engine/conn-layout.js';
import { TemplateFiller } from '../engine/conn-lifecycle.js';
import type { EngineShared } from '../engine/engine-shared.js';
import { FwdMethod } from '../engine/model.js';
import type { ServiceTable } from '../engine/service-table.js';
import { DestCount } from '../engine/shared/dest-counters.js';
import { TcpState } from '../engine/tcp-state.js';
import { formatIpv4 } from '../packet/addr.js';
import { IpProto } from '../packet/ipv4.js';
import { IpvsConnFlag, type SyncConn } from '../sync/sync-conn.js';
import type { SyncSink, SyncSource } from '../sync/sync-ports.js';
import { bindConnection } from './conn-binding.js';

/** uvs's ConnFlag bits → IP_VS_CONN_F_* (the forwarding method has the same numbers). */
function ipvsFlags(flags: number): number {
  let f = flags & ConnFlag.MethodMask;
  if (flags & ConnFlag.Inactive) f |= IpvsConnFlag.Inactive;
  if (flags & ConnFlag.Template) f |= IpvsConnFlag.Template;
  return f;
}

export class EngineSyncSource implements SyncSource {
  private readonly seen = new Set<number>();

  constructor(private readonly shared: EngineShared) {}

  /** The master daemon runs: the forwarding threads queue what to send. */
  setActive(active: boolean): void {
    this.shared.syncQueues.setActive(active);
  }

  drain(max: number): SyncConn[] {
    const c = this.shared.conns;
    const out: SyncConn[] = [];
    this.seen.clear();
    this.shared.syncQueues.drain(max, (i) => {
      // Queued twice before this drain, or freed since: sent once, or not at all.
      if (this.seen.has(i) || !c.isUsed(i)) return;
      this.seen.add(i);
      const flags = c.flags(i);
      const template = (flags & ConnFlag.Template) !== 0;
      const proto = c.proto(i);
      out.push({
        protocol: proto,
        flags: ipvsFlags(flags),
        state: template || proto !== IpProto.TCP ? 0 : c.state(i),
        caddr: c.caddr(i) >>> 0,
        cport: c.cport(i),
        vaddr: c.vaddr(i) >>> 0,
        vport: c.vport(i),
        daddr: c.daddr(i) >>> 0,
        dport: c.dport(i),
        fwmark: c.word(i, Cf.Fwmark) >>> 0,
        timeout: Math.max(1, Math.round(c.word(i, Cf.TimeoutMs) / 1000)),
      });
    });
    return out;
  }

  /** Queued connections lost because a thread's queue was full. */
  get dropped(): number {
    return this.shared.syncQueues.dropped;
  }
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

export class EngineSyncSink implements SyncSink {
  readonly counts: SyncSinkCounts = { created: 0, updated: 0, unbound: 0, full: 0 };
  private readonly template: TemplateFiller;

  constructor(
    private readonly shared: EngineShared,
    private readonly table: ServiceTable,
    /** The engine's clock (expiry times in the table are on it, not on the daemon's). */
    private readonly clock: () => number,
    /** Finds the way back to the client of a synced NAT connection (client-ways.ts). */
    private readonly learnClient: (slot: number, caddr: number) => void = () => {},
  ) {
    this.template = new TemplateFiller(shared.conns);
  }

  apply(s: SyncConn): void {
    const now = this.clock();
    const template = (s.flags & IpvsConnFlag.Template) !== 0;
    const method = (s.flags & IpvsConnFlag.FwdMask) as FwdMethod;
    const bound = bindConnection(this.table, {
      proto: s.protocol,
      family: 4,
      vaddr: formatIpv4(s.vaddr),
      vport: s.vport,
      fwmark: s.fwmark,
      daddr: formatIpv4(s.daddr),
      dport: s.dport,
      method,
      template,
    });
    if (!bound) {
      this.counts.unbound++;
      return;
    }
    const expires = now + s.timeout * 1000;
    if (template) this.applyTemplate(s, bound.svc.id, bound.dest.id, now);
    else this.applyConn(s, method, bound.svc.id, bound.dest.id, expires);
  }

  private applyTemplate(s: SyncConn, svc: number, dest: number, now: number): void {
    const c = this.shared.conns;
    const t = this.template;
    t.daddr = s.daddr | 0;
    t.dport = s.dport;
    t.flags = (s.flags & IpvsConnFlag.FwdMask) | ConnFlag.Synced;
    t.svc = svc;
    t.dest = dest;
    t.fwmark = s.fwmark | 0;
    t.timeoutMs = s.timeout * 1000;
    t.now = now;
    const i = c.templateFor(s.protocol, s.caddr | 0, s.vaddr | 0, s.vport, t);
    if (i < 0) {
      this.counts.full++;
      return;
    }
    if (t.created) {
      this.shared.dests.add(dest, DestCount.Persistent, 1);
      this.shared.wheel.add(i);
      this.counts.created++;
    } else {
      this.refresh(i, now + t.timeoutMs, t.timeoutMs);
      this.counts.updated++;
    }
  }

  private applyConn(
    s: SyncConn,
    method: FwdMethod,
    svc: number,
    dest: number,
    expires: number,
  ): void {
    const c = this.shared.conns;
    const inactive = (s.flags & IpvsConnFlag.Inactive) !== 0;
    const state = s.protocol === IpProto.TCP ? s.state : TcpState.None;
    let i = c.lookupIn(s.protocol, s.caddr | 0, s.cport, s.vaddr | 0, s.vport);
    if (i >= 0) {
      // As ip_vs_proc_conn: the state, the active/inactive accounting and the timer follow.
      c.lockConn(i);
      const flags = c.flags(i);
      const wasInactive = (flags & ConnFlag.Inactive) !== 0;
      if (wasInactive !== inactive) {
        const d = c.word(i, Cf.DestId);
        this.shared.dests.add(d, DestCount.Active, inactive ? -1 : 1);
        this.shared.dests.add(d, DestCount.Inactive, inactive ? 1 : -1);
        c.setFlags(i, inactive ? flags | ConnFlag.Inactive : flags & ~ConnFlag.Inactive);
      }
      c.setState(i, state);
      c.unlockConn(i);
      this.refresh(i, expires, s.timeout * 1000);
      this.counts.updated++;
      return;
    }
    const flags = method | ConnFlag.Synced | (inactive ? ConnFlag.Inactive : 0);
    i = c.prepare(
      s.protocol,
      s.caddr | 0,
      s.cport,
      s.vaddr | 0,
      s.vport,
      s.daddr | 0,
      s.dport,
      flags,
    );
    if (i < 0) {
      this.counts.full++;
      return;
    }
    c.setState(i, state);
    c.setWord(i, Cf.SvcId, svc);
    c.setWord(i, Cf.DestId, dest);
    c.setWord(i, Cf.Fwmark, s.fwmark | 0);
    // The way back to the client is learnt from its first packet here (engine.ts).
    c.setWord(i, Cf.ClientIf, -1);
    c.setWord(i, Cf.ControlOf, -1);
    c.setWord(i, Cf.TimeoutMs, s.timeout * 1000);
    c.setExpires(i, expires);
    c.publish(i);
    this.shared.dests.add(dest, inactive ? DestCount.Inactive : DestCount.Active, 1);
    this.shared.wheel.add(i);
    this.counts.created++;
    if (method === FwdMethod.Masq) this.learnClient(i, s.caddr);
  }

  private refresh(i: number, expires: number, timeoutMs: number): void {
    const c = this.shared.conns;
    const shortened = expires < c.expires(i);
    c.setExpires(i, expires);
    c.setWord(i, Cf.TimeoutMs, timeoutMs);
    if (shortened) this.shared.wheel.expiryShortened(i);
  }
}
