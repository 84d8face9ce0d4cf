// What the forwarders may use of the engine: the connection table, the configuration, the host
// (neighbours), the arena for frames they build, the sink, and the counters. A narrow interface
// of their own, so that the engine imports the forwarders and not the other way round.
import type { ConnTable } from '../conn-table.js';
import type { EngineEnv } from '../engine-env.js';
import type { LiveConfig } from '../live-config.js';
import type { ThreadStats } from '../shared/thread-stats.js';
import type { TxArena } from '../tx-arena.js';
import type { DropReason, Verdict } from '../verdict.js';

/** The IPv6 neighbours a forwarder may need (engine/ndp6.ts): next hops by neighbour discovery. */
export interface Neighbours6 {
  /** The MAC of the neighbour whose address is the 16 bytes at `addr[off]`, or undefined. */
  mac(addr: Buffer, off: number): Buffer | undefined;
  /** Asks for it on `ifIndex` (a solicitation, at most one a second per address). */
  request(addr: Buffer, off: number, ifIndex: number, now: number): void;
}

export interface ForwardContext {
  readonly conns: ConnTable;
  readonly config: LiveConfig;
  readonly env: EngineEnv;
  /** IPv6 next hops (an IPv6 TUN real server of an IPv4 service). */
  readonly neighbours6: Neighbours6;
  readonly arena: TxArena;
  readonly stats: ThreadStats;
  /** Six bytes the forwarders may use to hold a MAC for the duration of one call. */
  readonly macScratch: Buffer;
  /** Filled by a forwarder for the ICMP error it sends (one object, reused). */
  readonly icmpRoute: IcmpErrorRoute;
  /** Hands a finished frame to the sink (see FrameSink). */
  emit(buf: Buffer, off: number, len: number, ifIndex: number): void;
  drop(reason: DropReason): Verdict;
  notOurs(): Verdict;
  /** False when an ICMP error may not be sent now (rate limit, as the kernel's icmp_ratelimit). */
  icmpAllowed(now: number): boolean;
}

/** Where an ICMP error goes: to `to`, from `from`, toward MAC `mac` at `macOff`, on `outIf`. */
export interface IcmpErrorRoute {
  from: number;
  to: number;
  mac: Buffer;
  macOff: number;
  outIf: number;
}
