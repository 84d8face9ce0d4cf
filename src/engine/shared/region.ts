// One block of shared memory cut into named typed arrays: the fast path's state (connection
// table, counters, scheduler state) lives in it, so that every worker thread sees the same data
// and, when the block is a mapped file, a restarted uvsd finds it again. The block starts with a
// header (magic, layout version, the sizes it was cut for) so that an adopted file is recognised.

/** "UVS1" as a little-endian int32. */
const MAGIC = 0x31535655;
/** Bumped whenever the layout of any part changes: an old file is then not adopted. */
export const LAYOUT_VERSION = 1;
const HEADER_WORDS = 16;

export const enum Header {
  Magic = 0,
  Version = 1,
  /** Hash of the part sizes the block was cut for. */
  Shape = 2,
  /** Set to 1 once every part was initialised (a half-built file is not adopted). */
  Ready = 3,
  /** The connection table's hash seed for this run (changed at every start). */
  Seed = 4,
}

export interface Part {
  readonly name: string;
  /** Bytes; rounded up to 8 so that every part is 8-byte aligned (Float64Array parts). */
  readonly bytes: number;
}

/** Where each part sits in the block. */
export class RegionLayout {
  readonly offsets = new Map<string, number>();
  readonly bytes: number;
  readonly shape: number;

  constructor(private readonly parts: readonly Part[]) {
    let off = HEADER_WORDS * 4;
    let shape = LAYOUT_VERSION;
    for (const p of parts) {
      this.offsets.set(p.name, off);
      off += Math.ceil(p.bytes / 8) * 8;
      shape = (Math.imul(shape, 31) + p.bytes + p.name.length) | 0;
    }
    this.bytes = off;
    this.shape = shape;
  }

  /** Bytes of the parts named `${prefix}.…` (one table's parts, say). */
  bytesOf(prefix: string): number {
    let n = 0;
    for (const p of this.parts)
      if (p.name.startsWith(`${prefix}.`)) n += Math.ceil(p.bytes / 8) * 8;
    return n;
  }

  offset(name: string): number {
    const off = this.offsets.get(name);
    if (off === undefined) throw new Error(`shared region has no part "${name}"`);
    return off;
  }
}

export class SharedRegion {
  readonly header: Int32Array;
  /** True when the block already held a complete region of the same shape (adopted). */
  readonly adopted: boolean;

  constructor(
    readonly layout: RegionLayout,
    readonly buffer: SharedArrayBuffer,
  ) {
    if (buffer.byteLength < layout.bytes) {
      throw new Error(`shared block of ${buffer.byteLength} bytes, ${layout.bytes} needed`);
    }
    this.header = new Int32Array(buffer, 0, HEADER_WORDS);
    const h = this.header;
    this.adopted =
      h[Header.Magic] === MAGIC &&
      h[Header.Version] === LAYOUT_VERSION &&
      h[Header.Shape] === layout.shape &&
      h[Header.Ready] === 1;
  }

  /** A new, zeroed block in this process's memory (not mapped from a file). */
  static anonymous(layout: RegionLayout): SharedRegion {
    return new SharedRegion(layout, new SharedArrayBuffer(layout.bytes));
  }

  int32(name: string, count: number): Int32Array {
    return new Int32Array(this.buffer, this.layout.offset(name), count);
  }

  uint32(name: string, count: number): Uint32Array {
    return new Uint32Array(this.buffer, this.layout.offset(name), count);
  }

  uint8(name: string, count: number): Uint8Array {
    return new Uint8Array(this.buffer, this.layout.offset(name), count);
  }

  float64(name: string, count: number): Float64Array {
    return new Float64Array(this.buffer, this.layout.offset(name), count);
  }

  /** Marks a freshly initialised block as complete, so that a later start may adopt it. */
  markReady(): void {
    const h = this.header;
    h[Header.Magic] = MAGIC;
    h[Header.Version] = LAYOUT_VERSION;
    h[Header.Shape] = this.layout.shape;
    Atomics.store(h, Header.Ready, 1);
  }
}
