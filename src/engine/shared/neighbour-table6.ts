// The IPv6 neighbours' MACs (real servers and gateways, resolved by uvs's own neighbour
// discovery), in shared memory, as neighbour-table.ts keeps the IPv4 ones: any forwarding thread
// reads them, learns from the advertisements and solicitations it receives, and asks for an
// address it lacks (at most one solicitation a second per address, across threads); the main
// thread keeps them fresh. Open addressing on the 128-bit address: a slot is claimed (Claim word
// 0 → Writing), its four address words written, then published (Ready); a slot once given to an
// address stays that address's, so lookups follow probe chains without a lock. The MAC is read
// under a sequence counter (a seqlock). Addresses are 16 bytes at an offset of a Buffer (a frame,
// or a real server's address kept as bytes): nothing is allocated per call.
import type { Part, SharedRegion } from './region.js';
import { NeighbourState } from './neighbour-table.js';
import { macHiWord, macLoWord, writeMacWords } from './mac-words.js';

const SLOTS = 4096;
const MASK = SLOTS - 1;
/** A probe gives up after this many slots (the table is kept far from full). */
const MAX_PROBE = 64;

const enum N {
  /** The address, four words (word 0 the most significant). */
  Addr = 0,
  /** Claim state of the slot (Claim). */
  Claim = 4,
  State = 5,
  MacHi = 6,
  MacLo = 7,
  IfIndex = 8,
  /** Even: stable; odd: a writer is changing the MAC. */
  Seq = 9,
  /** Seconds (since the clock's epoch) of the last solicitation sent, for the 1 s rate limit. */
  AskedAt = 10,
  Unanswered = 11,
  Words = 12,
}

const enum Claim {
  Empty = 0,
  Writing = 1,
  Ready = 2,
}

function slotOf(buf: Buffer, off: number): number {
  let h = Math.imul(buf.readUInt32BE(off) ^ buf.readUInt32BE(off + 4), 0x9e3779b1);
  h = Math.imul(h ^ buf.readUInt32BE(off + 8), 0x85ebca6b);
  h = Math.imul(h ^ buf.readUInt32BE(off + 12), 0xc2b2ae35);
  return ((h ^ (h >>> 15)) >>> 0) & MASK;
}

export class NeighbourTable6 {
  private readonly w: Int32Array;
  private readonly u: Uint32Array;
  /** When each entry's MAC was last confirmed (ms). */
  private readonly updated: Float64Array;

  static parts(): Part[] {
    return [
      { name: 'neigh6.entries', bytes: SLOTS * N.Words * 4 },
      { name: 'neigh6.updated', bytes: SLOTS * 8 },
    ];
  }

  constructor(region: SharedRegion) {
    this.w = region.int32('neigh6.entries', SLOTS * N.Words);
    this.u = region.uint32('neigh6.entries', SLOTS * N.Words);
    this.updated = region.float64('neigh6.updated', SLOTS);
  }

  private holds(b: number, buf: Buffer, off: number): boolean {
    const u = this.u;
    return (
      u[b] === buf.readUInt32BE(off) &&
      u[b + 1] === buf.readUInt32BE(off + 4) &&
      u[b + 2] === buf.readUInt32BE(off + 8) &&
      u[b + 3] === buf.readUInt32BE(off + 12)
    );
  }

  /** Waits out a claimer writing a slot's address (a few instructions); false if it takes too long. */
  private ready(b: number): boolean {
    for (let tries = 0; tries < 1000; tries++) {
      if (Atomics.load(this.w, b + N.Claim) === Claim.Ready) return true;
    }
    return false;
  }

  /** The slot of the address at `buf[off]`, or -1; with `claim`, an empty slot is taken for it. */
  private find(buf: Buffer, off: number, claim: boolean): number {
    let s = slotOf(buf, off);
    for (let k = 0; k < MAX_PROBE; k++, s = (s + 1) & MASK) {
      const b = s * N.Words;
      const c = Atomics.load(this.w, b + N.Claim);
      if (c === Claim.Empty) {
        if (!claim) return -1;
        if (Atomics.compareExchange(this.w, b + N.Claim, Claim.Empty, Claim.Writing) === 0) {
          for (let i = 0; i < 4; i++) this.u[b + i] = buf.readUInt32BE(off + 4 * i);
          Atomics.store(this.w, b + N.Claim, Claim.Ready);
          return s;
        }
      }
      // Claimed by another thread meanwhile, perhaps for this very address.
      if (this.ready(b) && this.holds(b, buf, off)) return s;
    }
    return -1;
  }

  /** Copies the MAC of the address at `addr[off]` into `out` at `outOff`; false when unknown. */
  lookup(addr: Buffer, off: number, out: Buffer, outOff: number): boolean {
    const s = this.find(addr, off, false);
    if (s < 0) return false;
    const b = s * N.Words;
    const w = this.w;
    for (let tries = 0; tries < 1000; tries++) {
      const seq = Atomics.load(w, b + N.Seq);
      if (seq & 1) continue;
      if (Atomics.load(w, b + N.State) !== NeighbourState.Reachable) return false;
      const hi = w[b + N.MacHi]!;
      const lo = w[b + N.MacLo]!;
      if (Atomics.load(w, b + N.Seq) !== seq) continue;
      writeMacWords(out, outOff, hi, lo);
      return true;
    }
    return false;
  }

  /**
   * An advertisement or solicitation said the address at `addr[off]` is at the MAC at
   * `mac[macOff]`: recorded if the address is one of ours (asked for, or known). Any thread.
   */
  learn(
    addr: Buffer,
    off: number,
    mac: Buffer,
    macOff: number,
    ifIndex: number,
    now: number,
  ): boolean {
    const s = this.find(addr, off, false);
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
   * The address at `addr[off]` is wanted on `ifIndex`: true when the caller should send a
   * solicitation now (at most one a second per address, across threads). Any thread.
   */
  ask(addr: Buffer, off: number, ifIndex: number, now: number): boolean {
    const s = this.find(addr, off, true);
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

  // --- the main thread's upkeep, by slot ---

  /** A worker died, perhaps mid-write: entries left odd are made readable again. */
  releaseWriterOf(_thread: number): void {
    for (let s = 0; s < SLOTS; s++) {
      const b = s * N.Words;
      const seq = Atomics.load(this.w, b + N.Seq);
      if (seq & 1) Atomics.compareExchange(this.w, b + N.Seq, seq, seq + 1);
      Atomics.compareExchange(this.w, b + N.Claim, Claim.Writing, Claim.Empty);
    }
  }

  /** The slots of addresses that are asked for or known (not given up on). */
  *slots(): IterableIterator<number> {
    for (let s = 0; s < SLOTS; s++) {
      const b = s * N.Words;
      if (
        Atomics.load(this.w, b + N.Claim) === Claim.Ready &&
        Atomics.load(this.w, b + N.State) !== NeighbourState.None
      )
        yield s;
    }
  }

  /** Writes slot `s`'s address as 16 bytes at `out[off]`. */
  addressOf(s: number, out: Buffer, off: number): void {
    const b = s * N.Words;
    for (let i = 0; i < 4; i++) out.writeUInt32BE(this.u[b + i]!, off + 4 * i);
  }

  /** The slot of the address at `addr[off]`, or -1. */
  slotOf(addr: Buffer, off: number): number {
    return this.find(addr, off, false);
  }

  stateAt(s: number): NeighbourState {
    return Atomics.load(this.w, s * N.Words + N.State);
  }

  /** The MAC of slot `s` into `out`; false unless reachable. */
  macAt(s: number, out: Buffer, off: number): boolean {
    const b = s * N.Words;
    if (this.stateAt(s) !== NeighbourState.Reachable) return false;
    const hi = this.w[b + N.MacHi]!;
    const lo = this.w[b + N.MacLo]!;
    writeMacWords(out, off, hi, lo);
    return true;
  }

  ifIndexAt(s: number): number {
    return this.w[s * N.Words + N.IfIndex]!;
  }

  /** The second (clock seconds) of the last solicitation for slot `s`, 0 if none. */
  askedAt(s: number): number {
    return this.w[s * N.Words + N.AskedAt]!;
  }

  updatedAt(s: number): number {
    return this.updated[s]!;
  }

  /** One more refresh probe went unanswered; returns how many have. */
  unanswered(s: number): number {
    return Atomics.add(this.w, s * N.Words + N.Unanswered, 1) + 1;
  }

  /** Forgets slot `s`'s MAC (it stopped answering, or is no longer used). */
  forget(s: number): void {
    const b = s * N.Words;
    Atomics.store(this.w, b + N.State, NeighbourState.None);
    Atomics.store(this.w, b + N.AskedAt, 0);
    this.w[b + N.Unanswered] = 0;
  }
}
