// The connection table, in shared memory: fixed-size entries (conn-layout.ts) addressed by slot,
// two hash chains so that a connection is found from either side —
//   in  (proto, client addr:port, virtual addr:port)  — packets from the client;
//   out (proto, real server addr:port, client addr:port) — NAT replies from the server —
// and a free list. Capacity is fixed when the table is made (no rehash under load) and the hash
// is seeded at every start, so that nobody can aim many connections at one chain.
//
// Threads: every worker (and the main thread) has its own ConnTable object over the same memory.
// Lookups take no lock: a chain head is read with Atomics.load and entries are fully written
// before they are published at a chain head. Linking and unlinking take the lock of the chains'
// buckets. An unlinked entry keeps its chain link and is reused only after every worker has
// finished the batch it was in (see ConnReclaim), so a lookup walking through it stays on track.
import { ConnEntries } from './conn-entries.js';
import { Cf, CONN_V4, ConnFlag, type ConnTableShape } from './conn-layout.js';
import type { Part, SharedRegion } from './shared/region.js';
import { lock, releaseLocksOf, type ThreadId, unlock } from './shared/spin-lock.js';

/** What templateFor needs to create a template: where it points, and a filler of the rest. */
export interface TemplateInit {
  daddr: number;
  dport: number;
  flags: number;
  /** Fills a prepared template's other fields; false to give up (it is then discarded). */
  fill(i: number): boolean;
  /** Set by templateFor: true when the template was made by this call. */
  created: boolean;
}

export const EMPTY = -1;

const enum Meta {
  FreeTop = 0,
  FreeLock = 1,
  Count = 2,
  Seed = 3,
  /** Slots from here on were never used: handed out after the free list is empty. */
  NextUnused = 4,
  Words = 8,
}

export function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return h ^ (h >>> 16);
}

export class ConnTable extends ConnEntries {
  protected readonly inHead: Int32Array;
  protected readonly outHead: Int32Array;
  protected readonly locks: Int32Array;
  private readonly meta: Int32Array;
  private readonly mask: number;
  protected seed = 0;

  static parts(capacity: number, shape: ConnTableShape = CONN_V4): Part[] {
    const n = shape.name;
    return [
      { name: `${n}.meta`, bytes: Meta.Words * 4 },
      { name: `${n}.entries`, bytes: capacity * shape.stride * 4 },
      { name: `${n}.in`, bytes: capacity * 4 },
      { name: `${n}.out`, bytes: capacity * 4 },
      { name: `${n}.locks`, bytes: capacity * 4 },
    ];
  }

  /**
   * `capacity` must be a power of two (also the number of hash buckets). `shape` names the
   * table's parts and gives its entry size (IPv6 entries are longer: conn-table6.ts).
   */
  constructor(
    region: SharedRegion,
    capacity: number,
    owner: ThreadId,
    shape: ConnTableShape = CONN_V4,
  ) {
    super(region, capacity, owner, shape);
    this.mask = capacity - 1;
    const n = shape.name;
    this.inHead = region.int32(`${n}.in`, capacity);
    this.outHead = region.int32(`${n}.out`, capacity);
    this.locks = region.int32(`${n}.locks`, capacity);
    this.meta = region.int32(`${n}.meta`, Meta.Words);
    this.seed = this.meta[Meta.Seed]!;
  }

  /** Empties the table (a fresh block): every slot free, chains empty, a new hash seed. */
  initialise(seed: number): void {
    this.inHead.fill(EMPTY);
    this.outHead.fill(EMPTY);
    this.locks.fill(0);
    // Entries are not touched: slots are taken in order as they are first needed (so that a
    // large table costs memory only as it fills), then from the free list.
    this.meta[Meta.FreeTop] = EMPTY;
    this.meta[Meta.FreeLock] = 0;
    this.meta[Meta.Count] = 0;
    this.meta[Meta.NextUnused] = 0;
    this.setSeed(seed);
  }

  /**
   * Keeps the entries of an adopted block (a restart) and rebuilds everything derived from them
   * under a new hash seed: chains, free list, count. `keep(i)` may refuse an entry (its service
   * is gone); refused entries are freed. Returns the entries kept, for the expiry wheel.
   */
  adopt(seed: number, keep: (i: number) => boolean): number[] {
    this.inHead.fill(EMPTY);
    this.outHead.fill(EMPTY);
    this.locks.fill(0);
    this.setSeed(seed);
    const kept: number[] = [];
    let free = EMPTY;
    const w = this.w;
    for (let i = this.capacity - 1; i >= 0; i--) {
      const b = i * this.stride;
      if (w[b + Cf.Flags]! & ConnFlag.Used && keep(i)) {
        w[b + Cf.Lock] = 0; // a lock held by the process that died stays held otherwise
        this.link(i);
        kept.push(i);
      } else {
        w[b + Cf.Flags] = 0;
        w[b + Cf.WheelNext] = free;
        free = i;
      }
    }
    this.meta[Meta.FreeTop] = free;
    this.meta[Meta.FreeLock] = 0;
    this.meta[Meta.Count] = kept.length;
    this.meta[Meta.NextUnused] = this.capacity;
    return kept.reverse();
  }

  private setSeed(seed: number): void {
    this.seed = seed | 0;
    this.meta[Meta.Seed] = this.seed;
  }

  get count(): number {
    return Atomics.load(this.meta, Meta.Count);
  }

  // --- hashing and lookups ---

  protected hash(proto: number, a1: number, p1: number, a2: number, p2: number): number {
    let h = mix(a1 ^ Math.imul(proto + 1, 0x9e3779b1) ^ this.seed);
    h = mix(h ^ a2);
    return mix(h ^ ((p1 << 16) | p2)) & this.mask;
  }

  private inBucket(i: number): number {
    return this.hash(this.proto(i), this.caddr(i), this.cport(i), this.vaddr(i), this.vport(i));
  }

  protected outBucket(i: number): number {
    return this.hash(this.proto(i), this.daddr(i), this.dport(i), this.caddr(i), this.cport(i));
  }

  /** The connection of a packet from the client, or -1. Templates are not returned. */
  lookupIn(proto: number, caddr: number, cport: number, vaddr: number, vport: number): number {
    return this.findIn(proto, caddr, cport, vaddr, vport, 0);
  }

  /** The persistence template of (proto, masked client, virtual addr or mark, port), or -1. */
  lookupTemplate(proto: number, caddr: number, vaddr: number, vport: number): number {
    return this.findIn(proto, caddr, 0, vaddr, vport, ConnFlag.Template);
  }

  private findIn(
    proto: number,
    caddr: number,
    cport: number,
    vaddr: number,
    vport: number,
    template: number,
  ): number {
    const w = this.w;
    const s = this.stride;
    const ports = (cport << 16) | vport;
    caddr |= 0;
    vaddr |= 0;
    let i = Atomics.load(this.inHead, this.hash(proto, caddr, cport, vaddr, vport));
    while (i !== EMPTY) {
      const b = i * s;
      if (
        w[b + Cf.Caddr] === caddr &&
        w[b + Cf.Vaddr] === vaddr &&
        w[b + Cf.Ports] === ports &&
        ((w[b + Cf.DportProtoState]! >>> 8) & 0xff) === proto &&
        (w[b + Cf.Flags]! & (ConnFlag.Template | ConnFlag.Used | ConnFlag.Invalid)) ===
          (template | ConnFlag.Used)
      ) {
        return i;
      }
      i = w[b + Cf.InNext]!;
    }
    return EMPTY;
  }

  /** The connection of a reply from a real server (daddr:dport → caddr:cport), or -1. */
  lookupOut(proto: number, daddr: number, dport: number, caddr: number, cport: number): number {
    const w = this.w;
    const s = this.stride;
    const dps = (dport << 16) | (proto << 8);
    daddr |= 0;
    caddr |= 0;
    let i = Atomics.load(this.outHead, this.hash(proto, daddr, dport, caddr, cport));
    while (i !== EMPTY) {
      const b = i * s;
      if (
        w[b + Cf.Daddr] === daddr &&
        w[b + Cf.Caddr] === caddr &&
        w[b + Cf.Ports]! >>> 16 === cport &&
        (w[b + Cf.DportProtoState]! & ~0xff) === dps &&
        (w[b + Cf.Flags]! & (ConnFlag.Template | ConnFlag.Used)) === ConnFlag.Used
      ) {
        return i;
      }
      i = w[b + Cf.OutNext]!;
    }
    return EMPTY;
  }

  // --- insertion and removal ---

  /**
   * A new entry holding the key fields, not yet in the chains (nobody can find it): the caller
   * sets the other fields, then publish()es it, or discard()s it. -1 when the table is full.
   */
  prepare(
    proto: number,
    caddr: number,
    cport: number,
    vaddr: number,
    vport: number,
    daddr: number,
    dport: number,
    flags: number,
  ): number {
    const i = this.allocate();
    if (i !== EMPTY) this.fill(i, proto, caddr, cport, vaddr, vport, daddr, dport, flags);
    return i;
  }

  /** Links a prepared entry into both chains: from now on lookups find it. */
  publish(i: number): void {
    this.lockBuckets(i);
    this.link(i);
    this.unlockBuckets(i);
  }

  /** Gives back a prepared entry that was not published. */
  discard(i: number): void {
    Atomics.sub(this.meta, Meta.Count, 1);
    this.free(i);
  }

  /**
   * The template of (proto, client, vaddr, vport), or a new one made by `init` (which fills a
   * prepared entry's fields and returns false to give up): looked up and created under the
   * chain's lock, so that two workers never make two templates for one client. -1 when there is
   * none and none could be made.
   */
  templateFor(
    proto: number,
    caddr: number,
    vaddr: number,
    vport: number,
    init: TemplateInit,
  ): number {
    const bucket = this.hash(proto, caddr, 0, vaddr, vport);
    lock(this.locks, bucket, this.owner);
    let i = this.lookupTemplate(proto, caddr, vaddr, vport);
    init.created = false;
    if (i === EMPTY) {
      i = this.prepare(
        proto,
        caddr,
        0,
        vaddr,
        vport,
        init.daddr,
        init.dport,
        init.flags | ConnFlag.Template,
      );
      if (i !== EMPTY && !init.fill(i)) {
        this.discard(i);
        i = EMPTY;
      } else if (i !== EMPTY) {
        const o = this.outBucket(i);
        if (o !== bucket) lock(this.locks, o, this.owner);
        this.link(i);
        if (o !== bucket) unlock(this.locks, o);
        init.created = true;
      }
    }
    unlock(this.locks, bucket);
    return i;
  }

  private fill(
    i: number,
    proto: number,
    caddr: number,
    cport: number,
    vaddr: number,
    vport: number,
    daddr: number,
    dport: number,
    flags: number,
  ): void {
    const w = this.w;
    const b = i * this.stride;
    w[b + Cf.Caddr] = caddr;
    w[b + Cf.Vaddr] = vaddr;
    w[b + Cf.Daddr] = daddr;
    w[b + Cf.Ports] = (cport << 16) | vport;
    w[b + Cf.DportProtoState] = (dport << 16) | (proto << 8);
    w[b + Cf.ControlOf] = EMPTY;
    w[b + Cf.NControl] = 0;
    w[b + Cf.SyncPkts] = 0;
    w[b + Cf.Fwmark] = 0;
    w[b + Cf.Lock] = 0;
    w[b + Cf.WheelNext] = EMPTY;
    w[b + Cf.WheelPrev] = EMPTY;
    this.d[(b + Cf.WheelAt) >> 1] = -1;
    w[b + Cf.Flags] = flags | ConnFlag.Used;
  }

  protected link(i: number): void {
    const b = i * this.stride;
    const ib = this.inBucket(i);
    this.w[b + Cf.InNext] = this.inHead[ib]!;
    Atomics.store(this.inHead, ib, i);
    const ob = this.outBucket(i);
    this.w[b + Cf.OutNext] = this.outHead[ob]!;
    Atomics.store(this.outHead, ob, i);
  }

  private lockBuckets(i: number): void {
    const a = this.inBucket(i);
    const b = this.outBucket(i);
    // Always in ascending order, so that two threads never wait on each other.
    lock(this.locks, Math.min(a, b), this.owner);
    if (a !== b) lock(this.locks, Math.max(a, b), this.owner);
  }

  private unlockBuckets(i: number): void {
    const a = this.inBucket(i);
    const b = this.outBucket(i);
    if (a !== b) unlock(this.locks, Math.max(a, b));
    unlock(this.locks, Math.min(a, b));
  }

  /**
   * Takes `i` out of both chains (it is no longer found). Its own links stay as they are, so
   * a lookup standing on it goes on; give it back with free() once no batch can still see it.
   */
  unlink(i: number): void {
    // No longer a connection: lookups passing by do not match it, the defences do not pick it.
    this.setFlags(i, this.flags(i) & ~ConnFlag.Used);
    this.lockBuckets(i);
    unlinkFrom(this.inHead, this.w, this.stride, Cf.InNext, this.inBucket(i), i);
    unlinkFrom(this.outHead, this.w, this.stride, Cf.OutNext, this.outBucket(i), i);
    this.unlockBuckets(i);
    Atomics.sub(this.meta, Meta.Count, 1);
  }

  /** Returns an unlinked entry to the free list. */
  free(i: number): void {
    const b = i * this.stride;
    this.w[b + Cf.Flags] = 0;
    lock(this.meta, Meta.FreeLock, this.owner);
    this.w[b + Cf.WheelNext] = this.meta[Meta.FreeTop]!;
    this.meta[Meta.FreeTop] = i;
    unlock(this.meta, Meta.FreeLock);
  }

  private allocate(): number {
    lock(this.meta, Meta.FreeLock, this.owner);
    let i = this.meta[Meta.FreeTop]!;
    if (i !== EMPTY) this.meta[Meta.FreeTop] = this.w[i * this.stride + Cf.WheelNext]!;
    else if (this.meta[Meta.NextUnused]! < this.capacity) i = this.meta[Meta.NextUnused]!++;
    unlock(this.meta, Meta.FreeLock);
    if (i !== EMPTY) Atomics.add(this.meta, Meta.Count, 1);
    return i;
  }

  /** Releases the locks a dead worker held (the main thread calls it before restarting it). */
  releaseLocksOf(owner: ThreadId): number {
    let n = releaseLocksOf(this.locks, owner);
    if (Atomics.compareExchange(this.meta, Meta.FreeLock, owner + 1, 0) === owner + 1) n++;
    for (let i = 0; i < this.capacity; i++) {
      const k = i * this.stride + Cf.Lock;
      if (Atomics.compareExchange(this.w, k, owner + 1, 0) === owner + 1) n++;
    }
    return n;
  }
}

function unlinkFrom(
  head: Int32Array,
  w: Int32Array,
  stride: number,
  next: Cf,
  bucket: number,
  i: number,
): void {
  let prev = EMPTY;
  let j = head[bucket]!;
  while (j !== EMPTY && j !== i) {
    prev = j;
    j = w[j * stride + next]!;
  }
  if (j === EMPTY) return;
  const after = w[i * stride + next]!;
  if (prev === EMPTY) Atomics.store(head, bucket, after);
  else Atomics.store(w, prev * stride + next, after);
}
