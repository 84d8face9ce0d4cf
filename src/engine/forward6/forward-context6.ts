// What the IPv6 forwarders may use of the engine: the IPv6 connection table, the configuration,
// the IPv6 neighbours (userspace neighbour discovery), the arena, the sink and the counters —
// ForwardContext's counterpart, so that engine6.ts imports the forwarders and not the reverse.
import type { ConnTable6 } from '../conn-table6.js';
import type { EngineEnv } from '../engine-env.js';
import type { Neighbours6 } from '../forward/forward-context.js';
import type { LiveConfig } from '../live-config.js';
import type { ThreadStats } from '../shared/thread-stats.js';
import type { TxArena } from '../tx-arena.js';
import type { DropReason, Verdict } from '../verdict.js';

export interface ForwardContext6 {
  readonly conns6: ConnTable6;
  readonly config: LiveConfig;
  readonly arena: TxArena;
  readonly stats: ThreadStats;
  readonly neighbours6: Neighbours6;
  /** IPv4 neighbours (an IPv4 TUN real server of an IPv6 service). */
  readonly env: EngineEnv;
  /** Six bytes the forwarders may use to hold a MAC for the duration of one call. */
  readonly macScratch: Buffer;
  /** Filled by a forwarder for the ICMPv6 error it sends (one object, reused). */
  readonly route6: Icmp6ErrorRoute;
  emit(buf: Buffer, off: number, len: number, ifIndex: number): void;
  drop(reason: DropReason): Verdict;
  notOurs(): Verdict;
  /** False when an ICMP error may not be sent now (the same rate limit as IPv4's). */
  icmpAllowed(now: number): boolean;
}

/**
 * Where an ICMPv6 error goes: from the 16 bytes at `src[srcOff]` to those at `dst[dstOff]`,
 * toward MAC `mac` at `macOff`, on `outIf`.
 */
export interface Icmp6ErrorRoute {
  src: Buffer;
  srcOff: number;
  dst: Buffer;
  dstOff: number;
  mac: Buffer;
  macOff: number;
  outIf: number;
}
