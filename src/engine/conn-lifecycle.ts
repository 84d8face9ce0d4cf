// Opening and refreshing connections on a forwarding thread: IPVS's TCP states and timeouts, the
// real servers' active/inactive counts, persistence templates, and the per-service / per-server
// counters. (Expiry is conn-expiry.ts, on one thread.)
import { Eth } from '../packet/ethernet.js';
import { IpProto } from '../packet/ipv4.js';
import { Cf, ConnFlag } from './conn-layout.js';
import type { ConnTable, TemplateInit } from './conn-table.js';
import type { EngineShared } from './engine-shared.js';
import type { ExpiryWheel } from './expiry-wheel.js';
import type { FrameFields } from './frame-fields.js';
import type { LiveConfig, LiveService } from './live-config.js';
import type { LiveDest } from './live-dest.js';
import { FwdMethod } from './model.js';
import { defenseOn } from './defense.js';
import { DestCount } from './shared/dest-counters.js';
import { syncNeeded } from './sync-trigger.js';
import { Direction, nextTcpState, TcpState } from './tcp-state.js';

/** Fills a new template's fields (one instance, reused: no allocation per connection). */
export class TemplateFiller implements TemplateInit {
  daddr = 0;
  dport = 0;
  flags = 0;
  created = false;
  svc = 0;
  dest = 0;
  fwmark = 0;
  timeoutMs = 0;
  now = 0;

  constructor(private readonly conns: ConnTable) {}

  fill(i: number): boolean {
    const c = this.conns;
    c.setWord(i, Cf.SvcId, this.svc);
    c.setWord(i, Cf.DestId, this.dest);
    c.setWord(i, Cf.Fwmark, this.fwmark);
    c.setWord(i, Cf.TimeoutMs, this.timeoutMs);
    c.setExpires(i, this.now + this.timeoutMs);
    return true;
  }
}

export class ConnLifecycle {
  private readonly filler: TemplateFiller;
  /** This lifecycle opens the IPv6 table's connections: the sync queues are told so. */
  private readonly v6: boolean;

  /** `conns` and `wheel`: the IPv4 table by default (conn-lifecycle6.ts passes the IPv6 one). */
  constructor(
    protected readonly shared: EngineShared,
    protected readonly config: () => LiveConfig,
    protected readonly conns: ConnTable = shared.conns,
    protected readonly wheel: ExpiryWheel = shared.wheel,
  ) {
    this.filler = new TemplateFiller(conns);
    this.v6 = conns !== shared.conns;
  }

  /**
   * Creates the connection of a new flow to `dest`, remembering the way back to the client.
   * -1 when the table is full.
   */
  open(
    svc: LiveService,
    dest: LiveDest,
    f: FrameFields,
    buf: Buffer,
    ifIndex: number,
    template: number,
  ): number {
    const c = this.conns;
    // NAT remaps to the real port; DR/TUN, and a port-0 (all ports) real server, keep the port.
    const dport = dest.method === FwdMethod.Masq && dest.port !== 0 ? dest.port : f.dstPort;
    const flags = dest.method | ConnFlag.Inactive;
    const i = c.prepare(
      f.proto,
      f.srcAddr,
      f.srcPort,
      f.dstAddr,
      f.dstPort,
      dest.addr,
      dport,
      flags,
    );
    if (i < 0) return -1;
    c.setWord(i, Cf.SvcId, svc.id);
    c.setWord(i, Cf.DestId, dest.id);
    c.setWord(i, Cf.Fwmark, svc.fwmark);
    c.setWord(i, Cf.ClientIf, ifIndex);
    c.setClientMac(i, buf, f.eth + Eth.Src);
    c.setWord(i, Cf.ControlOf, template);
    const timeout = this.config().timeoutMs(f.proto, TcpState.None);
    c.setWord(i, Cf.TimeoutMs, timeout);
    c.setExpires(i, f.now + timeout);
    c.publish(i);
    if (template >= 0) c.addWord(template, Cf.NControl, 1);
    dest.count(DestCount.Inactive, 1);
    dest.updateOverload();
    this.shared.stats.connection(svc.id, dest.id);
    this.wheel.add(i);
    return i;
  }

  /**
   * Persistence (IPVS templates): the template binding this client (masked by -M) to a real
   * server of a persistent service, scheduling and creating it on first contact. Returns the
   * template's slot, or -1 when no server is available (or the table is full).
   */
  bindPersistent(svc: LiveService, f: FrameFields): number {
    const c = this.conns;
    const key = f.srcAddr & svc.persistenceMask;
    // IPVS keys a fwmark service's templates by the mark, printed where the VIP would be.
    const proto = svc.fwmark !== 0 ? 0 : svc.proto;
    const vaddr = svc.fwmark !== 0 ? svc.fwmark : svc.vip;
    const t = c.lookupTemplate(proto, key, vaddr, svc.port);
    if (t >= 0) {
      const bound = this.config().destsById[c.word(t, Cf.DestId)];
      // IPVS keeps using a template whose server is quiescent (expire_quiescent_template=0),
      // not one whose server was removed: that one is invalidated (ip_vs_check_template).
      if (bound && bound.inService) {
        c.setExpires(t, f.now + svc.persistenceMs);
        return t;
      }
      this.invalidate(t, f.now);
    }
    const dest = svc.scheduler.schedule(svc.dests, f);
    if (!dest) return -1;
    const fl = this.filler;
    fl.daddr = dest.addr;
    fl.dport = dest.port;
    fl.flags = dest.method;
    fl.svc = svc.id;
    fl.dest = dest.id;
    fl.fwmark = svc.fwmark;
    fl.timeoutMs = svc.persistenceMs;
    fl.now = f.now;
    const made = c.templateFor(proto, key, vaddr, svc.port, fl);
    if (made >= 0 && fl.created) {
      dest.count(DestCount.Persistent, 1);
      this.wheel.add(made);
    } else if (made >= 0) {
      c.setExpires(made, f.now + svc.persistenceMs);
    }
    return made;
  }

  /** A template whose server left: not found any more; it expires once it controls nothing. */
  protected invalidate(t: number, now: number): void {
    const c = this.conns;
    c.setFlags(t, c.flags(t) | ConnFlag.Invalid);
    c.setExpires(t, now);
    this.wheel.expiryShortened(t);
  }

  /** A packet of connection `i` went `dir`: counters, TCP state, timer. */
  touch(i: number, f: FrameFields, dir: Direction): void {
    const c = this.conns;
    const svc = c.word(i, Cf.SvcId);
    const destId = c.word(i, Cf.DestId);
    this.shared.stats.packet(svc, destId, f.ipLen, dir === Direction.Output);
    // Incoming packets (IPVS's in_pkts: the defences and the sync threshold read it).
    if (dir === Direction.Input) c.setWord(i, Cf.SyncPkts, c.word(i, Cf.SyncPkts) + 1);
    // The server answered (drop_entry spares such entries before lone SYNs).
    else if ((c.flags(i) & ConnFlag.Answered) === 0) c.addFlags(i, ConnFlag.Answered);
    const cfg = this.config();
    if (f.proto !== IpProto.TCP) {
      c.setExpires(i, f.now + cfg.udpTimeoutMs);
      if (dir === Direction.Input && this.shared.syncQueues.active) this.sync(i, false);
      return;
    }
    // Replies of DR/TUN bypass the director: IPVS reads such connections with INPUT_ONLY.
    const method = c.flags(i) & ConnFlag.MethodMask;
    const d = dir === Direction.Input && method !== FwdMethod.Masq ? Direction.InputOnly : dir;
    const secure = cfg.defense.secureTcp !== 0 && this.secureNow(cfg);
    let state: TcpState = c.state(i);
    let changed = false;
    if (nextTcpState(state, d, f.tcpFlags, secure) !== state) {
      c.lockConn(i);
      state = c.state(i);
      const next = nextTcpState(state, d, f.tcpFlags, secure);
      if (next !== state) {
        c.setState(i, next);
        this.accountState(i, destId, next);
        state = next;
        changed = true;
      }
      c.unlockConn(i);
    }
    const timeout = cfg.tcpTimeoutMs[state]!;
    const expires = f.now + timeout;
    const shortened = expires < c.expires(i);
    c.setExpires(i, expires);
    c.setWord(i, Cf.TimeoutMs, timeout);
    if (shortened) this.wheel.expiryShortened(i);
    if (dir === Direction.Input && this.shared.syncQueues.active) this.sync(i, changed);
  }

  /**
   * A sync master runs: queues connection `i` (and its template, of the same table) when IPVS
   * would send it.
   */
  private sync(i: number, stateChanged: boolean): void {
    const c = this.conns;
    if (!syncNeeded(c.proto(i), c.state(i), stateChanged, c.word(i, Cf.SyncPkts))) return;
    const q = this.shared.syncQueues;
    q.push(this.shared.thread, i, this.v6);
    const template = c.word(i, Cf.ControlOf);
    if (template >= 0) q.push(this.shared.thread, template, this.v6);
  }

  /** secure_tcp's state table applies now (mode 3, or the table short of free slots). */
  private secureNow(cfg: LiveConfig): boolean {
    const c = this.conns;
    return defenseOn(cfg.defense.secureTcp, c.capacity - c.count < cfg.defense.amemthresh);
  }

  /** IPVS counts a connection active only while ESTABLISHED (under the connection's lock). */
  private accountState(i: number, destId: number, state: TcpState): void {
    const c = this.conns;
    const counts = this.shared.dests;
    const flags = c.flags(i);
    const inactive = (flags & ConnFlag.Inactive) !== 0;
    if (!inactive && state !== TcpState.Established) {
      counts.add(destId, DestCount.Active, -1);
      counts.add(destId, DestCount.Inactive, 1);
      c.setFlags(i, flags | ConnFlag.Inactive);
    } else if (inactive && state === TcpState.Established) {
      counts.add(destId, DestCount.Active, 1);
      counts.add(destId, DestCount.Inactive, -1);
      c.setFlags(i, flags & ~ConnFlag.Inactive);
    }
  }
}
