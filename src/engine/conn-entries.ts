// One connection table's entries in shared memory, field by field (conn-layout.ts): what every
// user of a connection reads and writes — the forwarding threads, the expiry, the listings, the
// sync — without the chains and the free list that find and hand out entries (conn-table.ts).
import { Cf, ConnFlag, type ConnTableShape } from './conn-layout.js';
import type { SharedRegion } from './shared/region.js';
import { lock, type ThreadId, unlock } from './shared/spin-lock.js';
import { macHiWord, macLoWord, writeMacWords } from './shared/mac-words.js';

export class ConnEntries {
  readonly capacity: number;
  readonly stride: number;
  /**
   * The entries as words. Addresses are kept and compared as signed 32-bit integers (the same
   * bits): an unsigned value above 2^31 would be boxed on the heap each time it is read.
   */
  readonly w: Int32Array;
  /** The entries as Float64 (Expires, WheelAt). */
  readonly d: Float64Array;

  /**
   * `capacity` must be a power of two (also the number of hash buckets). `shape` names the
   * table's parts and gives its entry size (IPv6 entries are longer: conn-table6.ts).
   */
  constructor(
    region: SharedRegion,
    capacity: number,
    protected readonly owner: ThreadId,
    shape: ConnTableShape,
  ) {
    if (capacity < 16 || (capacity & (capacity - 1)) !== 0) {
      throw new Error(`connection table capacity must be a power of two ≥ 16, not ${capacity}`);
    }
    this.capacity = capacity;
    this.stride = shape.stride;
    const words = capacity * shape.stride;
    this.w = region.int32(`${shape.name}.entries`, words);
    this.d = region.float64(`${shape.name}.entries`, words / 2);
  }

  // --- field access (inlined by the JIT) ---

  flags(i: number): number {
    return this.w[i * this.stride + Cf.Flags]!;
  }
  setFlags(i: number, v: number): void {
    this.w[i * this.stride + Cf.Flags] = v;
  }
  /** Sets flag bits that other threads may be setting too (an atomic OR). */
  addFlags(i: number, bits: number): void {
    Atomics.or(this.w, i * this.stride + Cf.Flags, bits);
  }
  isUsed(i: number): boolean {
    return (this.w[i * this.stride + Cf.Flags]! & ConnFlag.Used) !== 0;
  }
  proto(i: number): number {
    return (this.w[i * this.stride + Cf.DportProtoState]! >>> 8) & 0xff;
  }
  state(i: number): number {
    return this.w[i * this.stride + Cf.DportProtoState]! & 0xff;
  }
  setState(i: number, s: number): void {
    const k = i * this.stride + Cf.DportProtoState;
    this.w[k] = (this.w[k]! & ~0xff) | s;
  }
  caddr(i: number): number {
    return this.w[i * this.stride + Cf.Caddr]!;
  }
  vaddr(i: number): number {
    return this.w[i * this.stride + Cf.Vaddr]!;
  }
  daddr(i: number): number {
    return this.w[i * this.stride + Cf.Daddr]!;
  }
  cport(i: number): number {
    return this.w[i * this.stride + Cf.Ports]! >>> 16;
  }
  vport(i: number): number {
    return this.w[i * this.stride + Cf.Ports]! & 0xffff;
  }
  dport(i: number): number {
    return this.w[i * this.stride + Cf.DportProtoState]! >>> 16;
  }
  word(i: number, field: Cf): number {
    return this.w[i * this.stride + field]!;
  }
  setWord(i: number, field: Cf, v: number): void {
    this.w[i * this.stride + field] = v;
  }
  expires(i: number): number {
    return this.d[(i * this.stride + Cf.Expires) >> 1]!;
  }
  setExpires(i: number, at: number): void {
    this.d[(i * this.stride + Cf.Expires) >> 1] = at;
  }
  /** Adds `delta` to a counter word that several threads change (NControl). */
  addWord(i: number, field: Cf, delta: number): number {
    return Atomics.add(this.w, i * this.stride + field, delta) + delta;
  }

  /** Copies the 6-byte client MAC of `i` into `dst` at `off`. */
  copyClientMac(i: number, dst: Buffer, off: number): void {
    const b = i * this.stride;
    const hi = this.w[b + Cf.MacHi]!;
    const lo = this.w[b + Cf.MacLo]!;
    writeMacWords(dst, off, hi, lo);
  }

  setClientMac(i: number, src: Buffer, off: number): void {
    const b = i * this.stride;
    this.w[b + Cf.MacHi] = macHiWord(src, off);
    this.w[b + Cf.MacLo] = macLoWord(src, off);
  }

  /**
   * The way back to the client (a synced connection's, learnt late): the MAC, then the
   * interface, which readers look at first (-1: not known yet).
   */
  setClientWay(i: number, ifIndex: number, mac: Buffer, off: number): void {
    this.setClientMac(i, mac, off);
    Atomics.store(this.w, i * this.stride + Cf.ClientIf, ifIndex);
  }

  /** Locks connection `i` for a state change (its TCP state and active/inactive accounting). */
  lockConn(i: number): void {
    lock(this.w, i * this.stride + Cf.Lock, this.owner);
  }

  unlockConn(i: number): void {
    unlock(this.w, i * this.stride + Cf.Lock);
  }
}
