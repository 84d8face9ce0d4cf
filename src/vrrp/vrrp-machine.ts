// One VRRP instance's state machine (RFC 5798 §6.4, RFC 3768 §6.4), pure and steppable:
// step(event, now) returns what to do — send an advert, add or remove the VIPs, send
// gratuitous ARPs, arm or cancel a timer, run notify scripts — and never does it itself, so
// that every transition is a row of a unit test driven by a fake clock.
//
//   INIT ──startup──► BACKUP ──Master_Down_Timer──► MASTER
//     └──(priority 255)──────────────────────────────┘ │
//   BACKUP ◄──advert with higher priority (or equal and higher address)──┘
//   any ──tracked interface/script with weight 0 down──► FAULT ──recovered──► BACKUP
//   MASTER ──shutdown──► STOP (priority 0 advert: the backup takes over after skew time)
import { PRIORITY_OWNER, PRIORITY_STOP, VrrpAuthType, type VrrpAdvert } from './vrrp-packet.js';
import { passwordBytes } from './vrrp-packet.js';
import { formatVrrpAddr, type VrrpAddr } from './vrrp-addr.js';
import type { VrrpInstanceSpec } from './vrrp-spec.js';

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';
export type VrrpTimer = 'advert' | 'masterDown' | 'garp' | 'garpRefresh';
/** The states a sync group moves its members to together. */
export type GroupState = 'MASTER' | 'BACKUP' | 'FAULT';

export type VrrpEvent =
  | { readonly kind: 'startup' }
  | { readonly kind: 'shutdown' }
  | { readonly kind: 'timer'; readonly timer: VrrpTimer }
  | {
      readonly kind: 'advert';
      /** Source address of the packet (IPv4 or IPv6). */
      readonly from: VrrpAddr;
      /** IPv4 TTL or IPv6 hop limit. */
      readonly ttl: number;
      readonly advert: VrrpAdvert;
    }
  /** The instance's interface or a tracked interface went up or down. */
  | { readonly kind: 'interface'; readonly name: string; readonly up: boolean }
  /** A tracked vrrp_script changed verdict (after its fall/rise). */
  | { readonly kind: 'script'; readonly name: string; readonly ok: boolean }
  /** The sync group moves every member to `state`. */
  | { readonly kind: 'group'; readonly state: GroupState };

/** Why a received advert was dropped (each is counted). */
export type DropReason = 'ttl' | 'version' | 'interval' | 'auth' | 'addresses' | 'peer';

export type VrrpAction =
  | { readonly do: 'send'; readonly priority: number }
  | { readonly do: 'arm'; readonly timer: VrrpTimer; readonly ms: number }
  | { readonly do: 'cancel'; readonly timer: VrrpTimer }
  | { readonly do: 'addVips' }
  | { readonly do: 'removeVips' }
  /** One burst of gratuitous ARPs for every VIP (garp_master_repeat each). */
  | { readonly do: 'garp' }
  | {
      readonly do: 'state';
      readonly from: VrrpState;
      readonly to: VrrpState;
      readonly reason: string;
    }
  | { readonly do: 'notify'; readonly state: GroupState | 'STOP' }
  | { readonly do: 'drop'; readonly reason: DropReason };

export interface VrrpStats {
  advertsReceived: number;
  becameMaster: number;
  releasedMaster: number;
  priorityZeroReceived: number;
  dropped: Record<DropReason, number>;
}

export class VrrpMachine {
  state: VrrpState = 'INIT';
  readonly stats: VrrpStats = {
    advertsReceived: 0,
    becameMaster: 0,
    releasedMaster: 0,
    priorityZeroReceived: 0,
    dropped: { ttl: 0, version: 0, interval: 0, auth: 0, addresses: 0, peer: 0 },
  };
  /** Master_Adver_Interval (ms): ours, or the master's in version 3. */
  private masterAdverIntMs: number;
  private readonly armed = new Set<VrrpTimer>();
  private readonly interfaceUp = new Map<string, boolean>();
  private readonly scriptOk = new Map<string, boolean>();
  /** The sync group holds this member in FAULT for another member's fault. */
  private forcedFault = false;
  /** Set by a sync group: another member has a fault of its own (this one stays in FAULT). */
  groupFault: () => boolean = () => false;
  /** Until when a lower-priority master is tolerated in BACKUP (preempt_delay). */
  private preemptUntil = 0;
  private readonly vipSet: ReadonlySet<VrrpAddr>;
  private readonly password: Buffer | undefined;

  constructor(
    readonly spec: VrrpInstanceSpec,
    /**
     * The address adverts come from (unicast_src_ip, the interface's first IPv4 address or its
     * IPv6 link-local address); it breaks ties between equal priorities (RFC 5798 §6.4.3).
     */
    public localIp: VrrpAddr,
  ) {
    this.masterAdverIntMs = spec.advertIntMs;
    this.vipSet = new Set(spec.vips.map((v) => v.addr));
    this.password = spec.authPass !== undefined ? passwordBytes(spec.authPass) : undefined;
  }

  /** The priority with tracked interfaces' and scripts' weights, 1-254 (255 stays 255). */
  get priority(): number {
    const base = this.spec.priority;
    if (base === PRIORITY_OWNER) return base;
    let p = base;
    const add = (items: VrrpInstanceSpec['trackScripts'], ok: Map<string, boolean>): void => {
      for (const t of items) {
        const good = ok.get(t.name) ?? true;
        if ((t.weight > 0 && good) || (t.weight < 0 && !good)) p += t.weight;
      }
    };
    add(this.spec.trackInterfaces, this.interfaceUp);
    add(this.spec.trackScripts, this.scriptOk);
    return Math.min(254, Math.max(1, p));
  }

  /** Skew_Time (ms): ((256 − priority) × Master_Adver_Interval) / 256. */
  get skewMs(): number {
    return ((256 - this.priority) * this.masterAdverIntMs) / 256;
  }

  /** Master_Down_Interval (ms): 3 × Master_Adver_Interval + Skew_Time. */
  get masterDownMs(): number {
    return 3 * this.masterAdverIntMs + this.skewMs;
  }

  /** The instance's own conditions for FAULT: its interface, or a weight-0 item, down. */
  get faulty(): boolean {
    if (this.interfaceUp.get(this.spec.interface) === false) return true;
    return (
      this.spec.trackInterfaces.some(
        (t) => t.weight === 0 && this.interfaceUp.get(t.name) === false,
      ) || this.spec.trackScripts.some((t) => t.weight === 0 && this.scriptOk.get(t.name) === false)
    );
  }

  step(e: VrrpEvent, now: number): VrrpAction[] {
    switch (e.kind) {
      case 'startup':
        return this.startup(now);
      case 'shutdown':
        return this.shutdown();
      case 'timer':
        this.armed.delete(e.timer);
        return this.timer(e.timer);
      case 'advert':
        return this.received(e.from, e.ttl, e.advert, now);
      case 'interface':
        this.interfaceUp.set(e.name, e.up);
        return this.reconsider(now, `interface ${e.name} ${e.up ? 'up' : 'down'}`);
      case 'script':
        this.scriptOk.set(e.name, e.ok);
        return this.reconsider(now, `script ${e.name} ${e.ok ? 'succeeded' : 'failed'}`);
      case 'group':
        return this.follow(e.state, now);
    }
  }

  private startup(now: number): VrrpAction[] {
    if (this.state !== 'INIT') return [];
    if (this.faulty) return this.toFault('startup with a fault');
    if (this.forcedFault || this.groupFault()) return this.toFault('sync group in FAULT');
    if (this.priority === PRIORITY_OWNER) return this.toMaster('address owner (priority 255)');
    return this.toBackup(now, 'startup');
  }

  private shutdown(): VrrpAction[] {
    const from = this.state;
    if (from === 'STOP') return [];
    const out = this.leave();
    this.state = 'STOP';
    return [
      ...out,
      { do: 'state', from, to: 'STOP', reason: 'shutdown' },
      { do: 'notify', state: 'STOP' },
    ];
  }

  private timer(t: VrrpTimer): VrrpAction[] {
    if (this.state === 'BACKUP' && t === 'masterDown')
      return this.toMaster('no advert within the master down interval');
    if (this.state !== 'MASTER') return [];
    switch (t) {
      case 'advert':
        return [{ do: 'send', priority: this.priority }, this.arm('advert', this.spec.advertIntMs)];
      case 'garp':
        return [{ do: 'garp' }];
      case 'garpRefresh':
        return [{ do: 'garp' }, this.arm('garpRefresh', this.spec.garpMasterRefreshMs)];
      case 'masterDown':
        return [];
    }
  }

  /** RFC 5798 §7.1 receiver checks; the reason to drop `a`, or undefined to process it. */
  private check(from: VrrpAddr, ttl: number, a: VrrpAdvert): DropReason | undefined {
    const unicast = this.spec.unicastPeers.length > 0;
    // keepalived checks TTL / hop limit 255 on multicast adverts only: its IPv6 unicast adverts
    // leave with the kernel's default hop limit.
    if (ttl !== 255 && !unicast) return 'ttl';
    if (a.version !== this.spec.version) return 'version';
    if (unicast && !this.spec.unicastPeers.includes(from)) return 'peer';
    if (a.version === 2) {
      if (a.intervalCs * 10 !== this.spec.advertIntMs) return 'interval';
      const want = this.password ? VrrpAuthType.Pass : VrrpAuthType.None;
      if (a.authType !== want) return 'auth';
      if (this.password && !(a.authData && a.authData.equals(this.password))) return 'auth';
    }
    const same = a.addrs.length === this.vipSet.size && a.addrs.every((x) => this.vipSet.has(x));
    // A mismatch is a misconfiguration: dropped unless the address owner sent it.
    if (!same && a.priority !== PRIORITY_OWNER) return 'addresses';
    return undefined;
  }

  private received(from: VrrpAddr, ttl: number, a: VrrpAdvert, now: number): VrrpAction[] {
    // Our own adverts, looped back, are not news.
    if (from === this.localIp || a.vrid !== this.spec.vrid) return [];
    if (this.state !== 'MASTER' && this.state !== 'BACKUP') return [];
    const bad = this.check(from, ttl, a);
    if (bad) {
      this.stats.dropped[bad]++;
      return [{ do: 'drop', reason: bad }];
    }
    this.stats.advertsReceived++;
    if (a.priority === PRIORITY_STOP) this.stats.priorityZeroReceived++;
    return this.state === 'MASTER'
      ? this.receivedAsMaster(from, a, now)
      : this.receivedAsBackup(a, now);
  }

  private receivedAsMaster(from: VrrpAddr, a: VrrpAdvert, now: number): VrrpAction[] {
    const mine = this.priority;
    if (a.priority === PRIORITY_STOP)
      return [{ do: 'send', priority: mine }, this.arm('advert', this.spec.advertIntMs)];
    if (a.priority > mine || (a.priority === mine && from > this.localIp)) {
      if (a.version === 3) this.masterAdverIntMs = a.intervalCs * 10;
      return this.toBackup(
        now,
        `higher priority advert (${a.priority}) from ${formatVrrpAddr(from)}`,
      );
    }
    // A lower-priority master (a healed partition): assert ourselves at once (keepalived).
    return [{ do: 'send', priority: mine }, this.arm('advert', this.spec.advertIntMs)];
  }

  private receivedAsBackup(a: VrrpAdvert, now: number): VrrpAction[] {
    if (a.priority === PRIORITY_STOP) return [this.arm('masterDown', this.skewMs)];
    const tolerated = !this.spec.preempt || a.priority >= this.priority || now < this.preemptUntil;
    if (!tolerated) return []; // preempt: let the master down timer run out
    if (a.version === 3) this.masterAdverIntMs = a.intervalCs * 10;
    return [this.arm('masterDown', this.masterDownMs)];
  }

  /** After an interface or script changed: FAULT entered or left. */
  private reconsider(now: number, why: string): VrrpAction[] {
    const faulty = this.faulty || this.forcedFault || this.groupFault();
    if (faulty && (this.state === 'MASTER' || this.state === 'BACKUP')) return this.toFault(why);
    if (!faulty && this.state === 'FAULT')
      return this.priority === PRIORITY_OWNER ? this.toMaster(why) : this.toBackup(now, why);
    return [];
  }

  private follow(to: GroupState, now: number): VrrpAction[] {
    if (to === 'FAULT') {
      this.forcedFault = true;
      return this.state === 'MASTER' || this.state === 'BACKUP'
        ? this.toFault('sync group in FAULT')
        : [];
    }
    this.forcedFault = false;
    if (this.state === 'INIT' || this.state === 'STOP') return [];
    if (this.faulty) return this.state === 'FAULT' ? [] : this.toFault('own fault');
    if (this.state === to) return [];
    return to === 'MASTER' ? this.toMaster('sync group') : this.toBackup(now, 'sync group');
  }

  private arm(timer: VrrpTimer, ms: number): VrrpAction {
    this.armed.add(timer);
    return { do: 'arm', timer, ms };
  }

  /** Leaving MASTER or BACKUP: cancels their timers; a master stops with priority 0. */
  private leave(): VrrpAction[] {
    const out: VrrpAction[] = [];
    for (const t of this.armed) out.push({ do: 'cancel', timer: t });
    this.armed.clear();
    if (this.state === 'MASTER') {
      this.stats.releasedMaster++;
      out.push({ do: 'send', priority: PRIORITY_STOP }, { do: 'removeVips' });
    }
    return out;
  }

  private toMaster(reason: string): VrrpAction[] {
    const from = this.state;
    const out = this.leave();
    this.state = 'MASTER';
    this.stats.becameMaster++;
    out.push({ do: 'send', priority: this.priority }, { do: 'addVips' }, { do: 'garp' });
    if (this.spec.garpMasterDelayMs > 0) out.push(this.arm('garp', this.spec.garpMasterDelayMs));
    if (this.spec.garpMasterRefreshMs > 0)
      out.push(this.arm('garpRefresh', this.spec.garpMasterRefreshMs));
    out.push(this.arm('advert', this.spec.advertIntMs));
    out.push({ do: 'state', from, to: 'MASTER', reason }, { do: 'notify', state: 'MASTER' });
    return out;
  }

  private toBackup(now: number, reason: string): VrrpAction[] {
    const from = this.state;
    // Leaving MASTER for BACKUP is no shutdown: no priority 0, the new master is there.
    const out = this.leave().filter((a) => !(a.do === 'send' && a.priority === PRIORITY_STOP));
    this.state = 'BACKUP';
    this.preemptUntil = now + this.spec.preemptDelayMs;
    out.push(this.arm('masterDown', this.masterDownMs));
    out.push({ do: 'state', from, to: 'BACKUP', reason }, { do: 'notify', state: 'BACKUP' });
    return out;
  }

  private toFault(reason: string): VrrpAction[] {
    const from = this.state;
    const out = this.leave();
    this.state = 'FAULT';
    this.masterAdverIntMs = this.spec.advertIntMs;
    out.push({ do: 'state', from, to: 'FAULT', reason }, { do: 'notify', state: 'FAULT' });
    return out;
  }
}
