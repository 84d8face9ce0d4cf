// The connection table: struct-of-arrays in typed arrays (no object per connection), with
// two hash chains so that a connection is found from either side:
//   in  (proto, client addr:port, virtual addr:port)  — packets from the client;
//   out (proto, real server addr:port, client addr:port) — NAT replies from the server.
// Connections are referred to by slot index. Lookups allocate nothing.

export const enum ConnFlag {
  /** Low 3 bits: forwarding method (FwdMethod). */
  MethodMask = 0x07,
  /** A persistence template (client → real server binding), not a connection. */
  Template = 0x08,
  /** Counted in the dest's inactive connections (IP_VS_CONN_F_INACTIVE). */
  Inactive = 0x10,
  /** Of a firewall-mark service: its packets come through the mark tap only. */
  Marked = 0x20,
}

const EMPTY = -1;

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

function hashTuple(proto: number, a1: number, p1: number, a2: number, p2: number): number {
  let h = mix(a1 ^ Math.imul(proto, 0x9e3779b1));
  h = mix(h ^ a2);
  return mix(h ^ ((p1 << 16) | p2));
}

export class ConnTable {
  capacity: number;
  count = 0;
  private mask: number;

  used!: Uint8Array;
  proto!: Uint8Array;
  flags!: Uint8Array;
  state!: Uint8Array;
  caddr!: Uint32Array;
  vaddr!: Uint32Array;
  daddr!: Uint32Array;
  cport!: Uint16Array;
  vport!: Uint16Array;
  dport!: Uint16Array;
  svcId!: Int32Array;
  destId!: Int32Array;
  /** Absolute expiry time in ms. */
  expires!: Float64Array;
  /** Timeout that `expires` was last set from, in ms (what ipvsadm -Lc counts down from). */
  timeoutMs!: Float64Array;
  /** MAC that the client's frames came from (the next hop back toward the client). */
  clientMac!: Uint8Array;
  /** Interface the client's frames arrive on. */
  clientIf!: Int32Array;
  /** The persistence template controlling a connection, or -1 (IPVS's cp->control). */
  controlOf!: Int32Array;
  /** For a template: how many connections it controls (IPVS's n_control). */
  nControl!: Int32Array;

  private inHead!: Int32Array;
  private outHead!: Int32Array;
  private inNext!: Int32Array;
  private outNext!: Int32Array;
  private freeHead = EMPTY;
  private freeNext!: Int32Array;

  constructor(initialCapacity = 4096) {
    this.capacity = 0;
    this.mask = 0;
    this.allocate(Math.max(16, 1 << Math.ceil(Math.log2(initialCapacity))));
  }

  /** Number of hash buckets (what ipvsadm prints as the table's size). */
  get buckets(): number {
    return this.mask + 1;
  }

  private allocate(capacity: number): void {
    const old = this.capacity > 0 ? this.snapshotArrays() : undefined;
    const oldCap = this.capacity;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.used = grow(old?.used, new Uint8Array(capacity));
    this.proto = grow(old?.proto, new Uint8Array(capacity));
    this.flags = grow(old?.flags, new Uint8Array(capacity));
    this.state = grow(old?.state, new Uint8Array(capacity));
    this.caddr = grow(old?.caddr, new Uint32Array(capacity));
    this.vaddr = grow(old?.vaddr, new Uint32Array(capacity));
    this.daddr = grow(old?.daddr, new Uint32Array(capacity));
    this.cport = grow(old?.cport, new Uint16Array(capacity));
    this.vport = grow(old?.vport, new Uint16Array(capacity));
    this.dport = grow(old?.dport, new Uint16Array(capacity));
    this.svcId = grow(old?.svcId, new Int32Array(capacity));
    this.destId = grow(old?.destId, new Int32Array(capacity));
    this.expires = grow(old?.expires, new Float64Array(capacity));
    this.timeoutMs = grow(old?.timeoutMs, new Float64Array(capacity));
    this.clientMac = grow(old?.clientMac, new Uint8Array(capacity * 6));
    this.clientIf = grow(old?.clientIf, new Int32Array(capacity));
    this.controlOf = grow(old?.controlOf, new Int32Array(capacity));
    this.nControl = grow(old?.nControl, new Int32Array(capacity));
    this.inHead = new Int32Array(capacity).fill(EMPTY);
    this.outHead = new Int32Array(capacity).fill(EMPTY);
    this.inNext = new Int32Array(capacity).fill(EMPTY);
    this.outNext = new Int32Array(capacity).fill(EMPTY);
    this.freeNext = new Int32Array(capacity).fill(EMPTY);
    // Free slots: the new ones, lowest first; then rehash the used ones.
    this.freeHead = EMPTY;
    for (let i = capacity - 1; i >= 0; i--) {
      if (i < oldCap && this.used[i]) {
        this.link(i);
      } else {
        this.freeNext[i] = this.freeHead;
        this.freeHead = i;
      }
    }
  }

  private snapshotArrays() {
    return {
      used: this.used,
      proto: this.proto,
      flags: this.flags,
      state: this.state,
      caddr: this.caddr,
      vaddr: this.vaddr,
      daddr: this.daddr,
      cport: this.cport,
      vport: this.vport,
      dport: this.dport,
      svcId: this.svcId,
      destId: this.destId,
      expires: this.expires,
      timeoutMs: this.timeoutMs,
      clientMac: this.clientMac,
      clientIf: this.clientIf,
      controlOf: this.controlOf,
      nControl: this.nControl,
    };
  }

  private inBucket(i: number): number {
    return (
      hashTuple(this.proto[i]!, this.caddr[i]!, this.cport[i]!, this.vaddr[i]!, this.vport[i]!) &
      this.mask
    );
  }

  private outBucket(i: number): number {
    return (
      hashTuple(this.proto[i]!, this.daddr[i]!, this.dport[i]!, this.caddr[i]!, this.cport[i]!) &
      this.mask
    );
  }

  private link(i: number): void {
    const b = this.inBucket(i);
    this.inNext[i] = this.inHead[b]!;
    this.inHead[b] = i;
    const o = this.outBucket(i);
    this.outNext[i] = this.outHead[o]!;
    this.outHead[o] = i;
  }

  /** The connection of a packet from the client, or -1. Templates are not returned. */
  lookupIn(proto: number, caddr: number, cport: number, vaddr: number, vport: number): number {
    let i = this.inHead[hashTuple(proto, caddr, cport, vaddr, vport) & this.mask]!;
    while (i !== EMPTY) {
      if (
        this.caddr[i] === caddr &&
        this.vaddr[i] === vaddr &&
        this.cport[i] === cport &&
        this.vport[i] === vport &&
        this.proto[i] === proto &&
        (this.flags[i]! & ConnFlag.Template) === 0
      ) {
        return i;
      }
      i = this.inNext[i]!;
    }
    return EMPTY;
  }

  /** The connection of a reply from a real server (daddr:dport → caddr:cport), or -1. */
  lookupOut(proto: number, daddr: number, dport: number, caddr: number, cport: number): number {
    let i = this.outHead[hashTuple(proto, daddr, dport, caddr, cport) & this.mask]!;
    while (i !== EMPTY) {
      if (
        this.daddr[i] === daddr &&
        this.caddr[i] === caddr &&
        this.dport[i] === dport &&
        this.cport[i] === cport &&
        this.proto[i] === proto &&
        (this.flags[i]! & ConnFlag.Template) === 0
      ) {
        return i;
      }
      i = this.outNext[i]!;
    }
    return EMPTY;
  }

  /** A new entry; the caller sets state, ids, expiry and the client's MAC. */
  add(
    proto: number,
    caddr: number,
    cport: number,
    vaddr: number,
    vport: number,
    daddr: number,
    dport: number,
    flags: number,
  ): number {
    if (this.freeHead === EMPTY) this.allocate(this.capacity * 2);
    const i = this.freeHead;
    this.freeHead = this.freeNext[i]!;
    this.used[i] = 1;
    this.proto[i] = proto;
    this.caddr[i] = caddr;
    this.cport[i] = cport;
    this.vaddr[i] = vaddr;
    this.vport[i] = vport;
    this.daddr[i] = daddr;
    this.dport[i] = dport;
    this.flags[i] = flags;
    this.state[i] = 0;
    this.controlOf[i] = EMPTY;
    this.nControl[i] = 0;
    this.link(i);
    this.count++;
    return i;
  }

  remove(i: number): void {
    if (!this.used[i]) return;
    unlinkFrom(this.inHead, this.inNext, this.inBucket(i), i);
    unlinkFrom(this.outHead, this.outNext, this.outBucket(i), i);
    this.used[i] = 0;
    this.freeNext[i] = this.freeHead;
    this.freeHead = i;
    this.count--;
  }

  /** Copies the 6-byte client MAC of `i` into `dst` at `off`. */
  copyClientMac(i: number, dst: Buffer, off: number): void {
    const base = i * 6;
    for (let k = 0; k < 6; k++) dst[off + k] = this.clientMac[base + k]!;
  }

  setClientMac(i: number, src: Buffer, off: number): void {
    const base = i * 6;
    for (let k = 0; k < 6; k++) this.clientMac[base + k] = src[off + k]!;
  }

  clear(): void {
    for (let i = 0; i < this.capacity; i++) if (this.used[i]) this.remove(i);
  }
}

function grow<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(
  old: T | undefined,
  fresh: T,
): T {
  if (old) fresh.set(old as never);
  return fresh;
}

function unlinkFrom(head: Int32Array, next: Int32Array, bucket: number, i: number): void {
  let prev = EMPTY;
  let j = head[bucket]!;
  while (j !== EMPTY && j !== i) {
    prev = j;
    j = next[j]!;
  }
  if (j === EMPTY) return;
  if (prev === EMPTY) head[bucket] = next[i]!;
  else next[prev] = next[i]!;
  next[i] = EMPTY;
}
