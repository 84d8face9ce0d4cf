// The neighbours' MACs (real servers and gateways, resolved by uvs's own ARP), in shared memory:
// any forwarding thread reads them, learns from the ARP replies it receives, and asks for an
// address it lacks; the main thread keeps them fresh. Open addressing on the IPv4 address;
// an entry, once given to an address, stays that address's (next hops are few, and a slot freed
// for another address would break the probe chains that lookups follow without a lock). The MAC
// is read under a sequence counter (a seqlock), so that a reader never takes half an old MAC and
// half a new one.
import type { Part, SharedRegion } from './region.js';
import { macHiWord, macLoWord, writeMacWords } from './mac-words.js';

const SLOTS = 4096;
const MASK = SLOTS - 1;
/** A probe gives up after this many slots (the table is kept far from full). */
const MAX_PROBE = 64;

const enum N {
  Ip = 0,
  State = 1,
  MacHi = 2,
  MacLo = 3,
  IfIndex = 4,
  /** Even: stable; odd: a writer is changing the MAC. */
  Seq = 5,
  /** Seconds (since the table's epoch) of the last request sent, for the 1 s rate limit. */
  AskedAt = 6,
  Unanswered = 7,
  Words = 8,
}

export const enum NeighbourState {
  /** Never used, or given up on. */
  None = 0,
  /** Asked for, no answer yet. */
  Pending = 1,
  Reachable = 2,
}

function slotOf(ip: number): number {
  return (Math.imul(ip, 0x9e3779b1) >>> 20) & MASK;
}

export class NeighbourTable {
  private readonly w: Int32Array;
  private readonly u: Uint32Array;
  /** When each entry's MAC was last confirmed (ms). */
  private readonly updated: Float64Array;

  static parts(): Part[] {
    return [
      { name: 'neigh.entries', bytes: SLOTS * N.Words * 4 },
      { name: 'neigh.updated', bytes: SLOTS * 8 },
    ];
  }

  constructor(region: SharedRegion) {
    this.w = region.int32('neigh.entries', SLOTS * N.Words);
    this.u = region.uint32('neigh.entries', SLOTS * N.Words);
    this.updated = region.float64('neigh.updated', SLOTS);
  }

  /** The slot of `ip`, or -1; with `claim`, an empty slot is taken for it. */
  private find(ip: number, claim: boolean): number {
    ip |= 0; // as the fast path holds addresses: signed 32-bit
    let s = slotOf(ip);
    for (let k = 0; k < MAX_PROBE; k++, s = (s + 1) & MASK) {
      const b = s * N.Words;
      const at = Atomics.load(this.w, b + N.Ip);
      if (at === ip) return s;
      if (at === 0) {
        if (!claim) return -1;
        // Claim the empty slot; another thread may have claimed it meanwhile (for ip or not).
        const was = Atomics.compareExchange(this.w, b + N.Ip, 0, ip);
        if (was === 0 || was === ip) return s;
      }
    }
    return -1;
  }

  /** Copies the MAC of `ip` into `out` at `off`; false when it is not known. Allocation-free. */
  lookup(ip: number, out: Buffer, off: number): boolean {
    const s = this.find(ip, false);
    if (s < 0) return false;
    const b = s * N.Words;
    const w = this.w;
    // A writer holds the entry for a few instructions; if it was descheduled meanwhile, the
    // frame is treated as unresolved rather than spinning on.
    for (let tries = 0; tries < 1000; tries++) {
      const seq = Atomics.load(w, b + N.Seq);
      if (seq & 1) continue;
      if (Atomics.load(w, b + N.State) !== NeighbourState.Reachable) return false;
      const hi = w[b + N.MacHi]!;
      const lo = w[b + N.MacLo]!;
      if (Atomics.load(w, b + N.Seq) !== seq) continue;
      writeMacWords(out, off, hi, lo);
      return true;
    }
    return false;
  }

  /** The interface `ip` was last seen on (-1: unknown). */
  ifIndexOf(ip: number): number {
    const s = this.find(ip, false);
    return s < 0 ? -1 : this.w[s * N.Words + N.IfIndex]!;
  }

  state(ip: number): NeighbourState {
    const s = this.find(ip, false);
    return s < 0 ? NeighbourState.None : Atomics.load(this.w, s * N.Words + N.State);
  }

  /**
   * An ARP frame said `ip` is at the MAC at `mac`/`macOff`: recorded if `ip` is one of ours
   * (asked for, or known). Any thread.
   */
  learn(ip: number, mac: Buffer, macOff: number, ifIndex: number, now: number): boolean {
    const s = this.find(ip, false);
    if (s < 0) return false;
    const b = s * N.Words;
    const w = this.w;
    if (Atomics.load(w, b + N.State) === NeighbourState.None) return false;
    const seq = Atomics.load(w, b + N.Seq);
    if (seq & 1 || Atomics.compareExchange(w, b + N.Seq, seq, seq + 1) !== seq) return false;
    w[b + N.MacHi] = macHiWord(mac, macOff);
    w[b + N.MacLo] = macLoWord(mac, macOff);
    w[b + N.IfIndex] = ifIndex;
    this.updated[s] = now;
    w[b + N.Unanswered] = 0;
    Atomics.store(w, b + N.State, NeighbourState.Reachable);
    Atomics.store(w, b + N.Seq, seq + 2);
    return true;
  }

  /**
   * `ip` is wanted on `ifIndex`: true when the caller should send an ARP request now (at most one
   * a second per address, across threads). Any thread.
   */
  ask(ip: number, ifIndex: number, now: number): boolean {
    const s = this.find(ip, true);
    if (s < 0) return false;
    const b = s * N.Words;
    const w = this.w;
    if (Atomics.load(w, b + N.State) === NeighbourState.None) {
      w[b + N.IfIndex] = ifIndex;
      Atomics.compareExchange(w, b + N.State, NeighbourState.None, NeighbourState.Pending);
    }
    const sec = Math.floor(now / 1000) | 0;
    const last = Atomics.load(w, b + N.AskedAt);
    if (last !== 0 && sec - last < 1) return false;
    return Atomics.compareExchange(w, b + N.AskedAt, last, sec === 0 ? 1 : sec) === last;
  }

  // --- the main thread's upkeep ---

  /**
   * A worker died, perhaps while writing an entry: an entry left odd (being written) is made
   * readable again. A live writer that finishes meanwhile stores the same even value.
   */
  releaseWriterOf(_thread: number): void {
    for (let s = 0; s < SLOTS; s++) {
      const k = s * N.Words + N.Seq;
      const seq = Atomics.load(this.w, k);
      if (seq & 1) Atomics.compareExchange(this.w, k, seq, seq + 1);
    }
  }

  /** Every address with an entry that is not given up on. */
  *addresses(): IterableIterator<number> {
    for (let s = 0; s < SLOTS; s++) {
      const b = s * N.Words;
      if (this.u[b + N.Ip] !== 0 && Atomics.load(this.w, b + N.State) !== NeighbourState.None) {
        yield this.u[b + N.Ip]!;
      }
    }
  }

  /** The second (epoch seconds) of the last request for `ip`, 0 if none. */
  askedAt(ip: number): number {
    const s = this.find(ip, false);
    return s < 0 ? 0 : this.w[s * N.Words + N.AskedAt]!;
  }

  updatedAt(ip: number): number {
    const s = this.find(ip, false);
    return s < 0 ? 0 : this.updated[s]!;
  }

  /** One more refresh request went unanswered; returns how many have. */
  unanswered(ip: number): number {
    const s = this.find(ip, false);
    return s < 0 ? 0 : Atomics.add(this.w, s * N.Words + N.Unanswered, 1) + 1;
  }

  /** Forgets `ip`'s MAC (it stopped answering, or is no longer used). */
  forget(ip: number): void {
    const s = this.find(ip, false);
    if (s < 0) return;
    const b = s * N.Words;
    Atomics.store(this.w, b + N.State, NeighbourState.None);
    Atomics.store(this.w, b + N.AskedAt, 0);
    this.w[b + N.Unanswered] = 0;
  }
}
