// IPVS's defences against a flood of new connections (ip_vs_ctl.c update_defense_level,
// ip_vs_conn.c ip_vs_random_dropentry), on uvs's fixed-size table. "Memory is low" becomes "the
// table has fewer free slots than amemthresh". Each defence has IPVS's modes: 0 off, 1 on while
// the table is short, 2 on now (back to 1 once it is not short), 3 always on.
//  - drop_entry: make room by dropping entries a flood fills the table with — SYN_RECV/SYNACK,
//    and connections with few incoming packets whose timer has not been refreshed for 60 s —
//    on demand when a new connection needs a slot, and by a random sweep every second. Where
//    IPVS takes the first such entry it meets, uvs spares a real client's handshake in
//    progress: on demand it takes, among the entries it samples, an unanswered SYN's first and
//    the oldest first, and the sweep leaves entries refreshed in the last 10 s;
//  - drop_packet: drop new connections at a rate that grows as the table fills;
//  - secure_tcp: the stricter TCP state table (spoofed SYNs never reach ESTABLISHED).
import { Cf, ConnFlag } from './conn-layout.js';
import type { ConnCloser } from './conn-closer.js';
import type { ConnTable } from './conn-table.js';
import type { EngineShared } from './engine-shared.js';
import type { ExpiryWheel } from './expiry-wheel.js';
import type { LiveConfig } from './live-config.js';
import { IpProto } from '../packet/ipv4.js';
import { FrameStat } from './shared/thread-stats.js';
import { TcpState } from './tcp-state.js';

/** Random slots looked at for a victim before a new connection gives up. */
const SAMPLES = 32;
/** An entry whose timer was refreshed less than this ago is not dropped (IPVS: 60 s). */
const MIN_AGE_MS = 60_000;

/** Ranks an unanswered entry before every answered one, whatever their ages (ms, > any age). */
const UNANSWERED_FIRST_MS = 1e12;
/** A SYN's entry counts as unanswered when no answer came for this long (a server's is ms). */
const UNANSWERED_AFTER_MS = 1000;

/**
 * The periodic sweep leaves entries refreshed less than this ago. IPVS's sweep takes any
 * half-open entry it meets, a real client's handshake among them when its ACK and the
 * retransmissions of its request are lost for a second or two in a full receive ring (seen
 * under hping3 --flood). Making room on demand (oldest first) is what keeps up with a flood;
 * the sweep only frees what has lingered.
 */
const SWEEP_MIN_AGE_MS = 10_000;

/** drop_packet mode 3 drops one new connection in this many (IPVS's am_droprate default). */
const AM_DROPRATE = 10;

export function defenseOn(mode: number, short: boolean): boolean {
  return mode === 3 || ((mode === 1 || mode === 2) && short);
}

export class Defense {
  /** IPVS's todrop_counter: per count of incoming packets (0..8), one drop every n. */
  private readonly todropCounter = new Int8Array(9);
  private dropCounter = 0;

  /** `conns` and `wheel`: the IPv4 table by default, or the IPv6 one. */
  constructor(
    private readonly shared: EngineShared,
    private readonly closer: ConnCloser,
    private readonly conns: ConnTable = shared.conns,
    private readonly wheel: ExpiryWheel = shared.wheel,
  ) {}

  /** True when the table has fewer free slots than amemthresh. */
  short(cfg: LiveConfig): boolean {
    const c = this.conns;
    return c.capacity - c.count < cfg.defense.amemthresh;
  }

  /** drop_packet: whether to refuse this new connection (one in amemthresh / (amemthresh − free)). */
  dropNew(cfg: LiveConfig, short: boolean): boolean {
    const d = cfg.defense;
    let rate: number;
    if (d.dropPacket === 3) rate = AM_DROPRATE;
    else if (defenseOn(d.dropPacket, short)) {
      const c = this.conns;
      const free = c.capacity - c.count;
      rate = Math.max(1, Math.floor(d.amemthresh / Math.max(1, d.amemthresh - free)));
    } else return false;
    if (--this.dropCounter > 0) return false;
    this.dropCounter = rate;
    return true;
  }

  /**
   * drop_entry: drops one victim among random slots. IPVS takes the first it meets, which may be
   * a real client's handshake whose ACK a full receive ring lost; uvs ranks the ones it samples:
   * first the unanswered (a lone SYN and, for a second, nothing from the server: a spoofed SYN's
   * entry when the flood outruns the director and loses the server's SYN-ACK), then the others,
   * the oldest first in each (a flood's entries turn over faster than a stalled handshake
   * recovers). True when a slot was freed.
   */
  makeRoom(cfg: LiveConfig, short: boolean, now: number): boolean {
    if (!defenseOn(cfg.defense.dropEntry, short)) return false;
    const c = this.conns;
    let victim = -1;
    let lowest = Infinity;
    for (let k = 0; k < SAMPLES; k++) {
      const i = Math.floor(Math.random() * c.capacity);
      if (!c.isUsed(i) || !this.isVictim(i, now)) continue;
      const refreshed = c.expires(i) - c.word(i, Cf.TimeoutMs);
      const rank = this.unanswered(i, refreshed, now) ? refreshed - UNANSWERED_FIRST_MS : refreshed;
      if (rank < lowest) {
        lowest = rank;
        victim = i;
      }
    }
    if (victim < 0 || !this.wheel.take(victim)) return false;
    this.closer.close(victim);
    this.shared.stats.frame(FrameStat.Evicted);
    return true;
  }

  /** IPVS's periodic drop: looks at 1/32 of the table in random places (main thread, 1 s). */
  sweep(cfg: LiveConfig, now: number): number {
    const short = this.short(cfg);
    if (!defenseOn(cfg.defense.dropEntry, short) || !short) return 0;
    const c = this.conns;
    let dropped = 0;
    for (let k = c.capacity >> 5; k > 0; k--) {
      const i = Math.floor(Math.random() * c.capacity);
      if (!c.isUsed(i) || c.expires(i) - c.word(i, Cf.TimeoutMs) > now - SWEEP_MIN_AGE_MS) continue;
      if (this.isVictim(i, now) && this.wheel.take(i)) {
        this.closer.close(i);
        this.shared.stats.frame(FrameStat.Evicted);
        dropped++;
      }
    }
    return dropped;
  }

  /**
   * A TCP entry that saw one SYN, refreshed more than UNANSWERED_AFTER_MS before `now`, with
   * nothing from its server: what a spoofed SYN leaves when the server's answer was lost.
   */
  private unanswered(i: number, refreshed: number, now: number): boolean {
    const c = this.conns;
    return (
      refreshed < now - UNANSWERED_AFTER_MS &&
      c.proto(i) === IpProto.TCP &&
      (c.flags(i) & ConnFlag.Answered) === 0 &&
      c.word(i, Cf.SyncPkts) <= 1
    );
  }

  /** ip_vs_random_dropentry's choice: half-open TCP, else few-packet idle entries. */
  private isVictim(i: number, now: number): boolean {
    const c = this.conns;
    if (c.flags(i) & ConnFlag.Template) return false;
    const proto = c.proto(i);
    if (proto === IpProto.TCP) {
      const s = c.state(i);
      if (s === TcpState.SynRecv || s === TcpState.SynAck) return true;
      return s === TcpState.Established && this.todrop(i, now);
    }
    return proto === IpProto.UDP && this.todrop(i, now);
  }

  /** ip_vs_conn.c todrop_entry: idle 60 s, and 1..8 incoming packets, one in n dropped. */
  private todrop(i: number, now: number): boolean {
    const c = this.conns;
    if (c.expires(i) - c.word(i, Cf.TimeoutMs) > now - MIN_AGE_MS) return false;
    const n = c.word(i, Cf.SyncPkts);
    if (n <= 0 || n > 8) return false;
    if (--this.todropCounter[n]! > 0) return false;
    this.todropCounter[n] = n;
    return true;
  }
}
