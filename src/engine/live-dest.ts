// A real server as a forwarding thread sees it: its configuration from the snapshot, and its
// connection counts read live from shared memory (so that lc/wlc see every thread's connections).
import { writeIpv6Words } from '../packet/addr.js';
import { DestCount, type DestCounters } from './shared/dest-counters.js';
import type { SnapshotDest } from './snapshot.js';

/** Four words of a snapshot as 16 bytes (zeros when absent). */
function bytes6(words: readonly number[]): Buffer {
  const b = Buffer.alloc(16);
  if (words.length === 4) writeIpv6Words(b, 0, Uint32Array.from(words));
  return b;
}

export class LiveDest {
  readonly id: number;
  readonly family: 4 | 6;
  /** IPv4 address; for an IPv6 server the fold of its words (what schedulers hash). */
  readonly addr: number;
  /** An IPv6 server's address as four words (the connection table's) and as bytes (frames'). */
  readonly addr6: Uint32Array;
  readonly addr6Bytes: Buffer;
  /** Its next hop and the director's source toward it (TUN), as bytes. */
  readonly nextHop6: Buffer;
  readonly tunnelSrc6: Buffer;
  readonly port: number;
  readonly method: number;
  readonly weight: number;
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  readonly inService: boolean;
  readonly ifIndex: number;
  readonly nextHop: number;
  readonly tunnelSrc: number;
  /** The route's MTU when set (0: the link's). */
  private readonly configuredMtu: number;

  constructor(
    s: SnapshotDest,
    private readonly counts: DestCounters,
  ) {
    this.id = s.id;
    this.family = s.family;
    // Addresses as signed 32-bit integers: the fast path's form (see LiveConfig).
    this.addr = s.addr | 0;
    this.addr6 = s.addr6.length === 4 ? Uint32Array.from(s.addr6) : new Uint32Array(4);
    this.addr6Bytes = bytes6(s.addr6);
    this.nextHop6 = bytes6(s.nextHop6);
    this.tunnelSrc6 = bytes6(s.tunnelSrc6);
    this.port = s.port;
    this.method = s.method;
    this.weight = s.weight;
    this.upperThreshold = s.upperThreshold;
    this.lowerThreshold = s.lowerThreshold;
    this.inService = s.inService;
    this.ifIndex = s.ifIndex;
    this.nextHop = s.nextHop | 0;
    this.tunnelSrc = s.tunnelSrc | 0;
    this.configuredMtu = s.routeMtu;
  }

  /**
   * The MTU toward it when narrower than the link's (0: the link's): the route's, or lower, a
   * path MTU a router reported (kept in shared memory: every thread, every snapshot sees it).
   */
  get routeMtu(): number {
    const learnt = this.counts.get(this.id, DestCount.LearntMtu);
    if (learnt === 0) return this.configuredMtu;
    return this.configuredMtu > 0 ? Math.min(this.configuredMtu, learnt) : learnt;
  }

  /** A router beyond the director can carry no more than `mtu` toward this server. */
  learnMtu(mtu: number): void {
    const was = this.counts.get(this.id, DestCount.LearntMtu);
    if (was === 0 || mtu < was) this.counts.set(this.id, DestCount.LearntMtu, mtu);
  }

  get activeConns(): number {
    return this.counts.get(this.id, DestCount.Active);
  }

  get inactiveConns(): number {
    return this.counts.get(this.id, DestCount.Inactive);
  }

  get persistentConns(): number {
    return this.counts.get(this.id, DestCount.Persistent);
  }

  /** IPVS's count of connections for least-connection schedulers. */
  get overhead(): number {
    return this.counts.overhead(this.id);
  }

  /** Can receive new connections: in service, weight > 0, not over its -x threshold. */
  get available(): boolean {
    return (
      this.inService && this.weight > 0 && this.counts.get(this.id, DestCount.Overloaded) === 0
    );
  }

  /** After a connection count of this server changed: the -x/-y overload flag. */
  updateOverload(): void {
    this.counts.updateOverload(this.id, this.upperThreshold, this.lowerThreshold);
  }

  /** Changes one of its connection counts (any thread). */
  count(field: DestCount, delta: number): void {
    this.counts.add(this.id, field, delta);
  }
}
