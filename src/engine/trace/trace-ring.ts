// The trace ring of one forwarding thread: fixed-size records in shared memory, written by the
// thread (one producer) while someone traces, read by the main thread (one consumer). A slow
// reader never slows forwarding: when the ring is full the record is dropped and counted.
//
// A record is one frame: the frame as it came in, or one frame the engine sent for it, or the
// verdict; records of one input frame share its sequence number.

export const enum TraceKind {
  In = 1,
  Out = 2,
  Verdict = 3,
}

/** Bytes of a frame kept in a record (headers and the start of the payload; length is kept). */
export const TRACE_CAPTURE = 1536;

const enum H {
  Write = 0,
  Read = 1,
  Dropped = 2,
  Words = 4,
}

/** Record header, in 32-bit words, then TRACE_CAPTURE bytes. */
export const enum R {
  Kind = 0,
  Seq = 1,
  IfIndex = 2,
  /** The frame's whole length (the bytes kept are min(Len, TRACE_CAPTURE)). */
  Len = 3,
  /** Verdict records: the verdict, drop reason (or -1), connection method, state, way. */
  Verdict = 4,
  DropReason = 5,
  Method = 6,
  State = 7,
  /** 1: a client's packet toward its real server; 2: a NAT reply toward the client. */
  Way = 8,
  SvcId = 9,
  DestId = 10,
  /** The frame's time (engine ms, Float64, words 12-13). */
  Time = 12,
  Words = 16,
}

const RECORD_BYTES = R.Words * 4 + TRACE_CAPTURE;

export class TraceRing {
  readonly buffer: SharedArrayBuffer;
  readonly slots: number;
  private readonly head: Int32Array;
  private readonly words: Int32Array;
  private readonly times: Float64Array;
  private readonly bytes: Uint8Array;

  /** A new ring of `slots` records (a power of 2), or a view of one made by another thread. */
  constructor(slotsOrBuffer: number | SharedArrayBuffer) {
    if (typeof slotsOrBuffer === 'number' && (slotsOrBuffer & (slotsOrBuffer - 1)) !== 0)
      throw new RangeError(`trace ring of ${slotsOrBuffer} slots: not a power of 2`);
    this.buffer =
      typeof slotsOrBuffer === 'number'
        ? new SharedArrayBuffer(H.Words * 4 + slotsOrBuffer * RECORD_BYTES)
        : slotsOrBuffer;
    this.slots = Math.floor((this.buffer.byteLength - H.Words * 4) / RECORD_BYTES);
    this.head = new Int32Array(this.buffer, 0, H.Words);
    this.words = new Int32Array(this.buffer, H.Words * 4);
    this.times = new Float64Array(this.buffer, H.Words * 4);
    this.bytes = new Uint8Array(this.buffer, H.Words * 4);
  }

  private base(slot: number): number {
    return slot * (RECORD_BYTES / 4);
  }

  // --- producer ---

  /** The slot to fill next, or -1 (full: the record is dropped and counted). */
  claim(): number {
    const w = Atomics.load(this.head, H.Write);
    // Counters wrap at 2^32: differences and masks stay right across the wrap.
    if (((w - Atomics.load(this.head, H.Read)) | 0) >= this.slots) {
      Atomics.add(this.head, H.Dropped, 1);
      return -1;
    }
    return w & (this.slots - 1);
  }

  set(slot: number, field: R, v: number): void {
    this.words[this.base(slot) + field] = v;
  }

  setTime(slot: number, t: number): void {
    this.times[(this.base(slot) + R.Time) >> 1] = t;
  }

  /** Copies the frame's first bytes into the record. */
  copyFrame(slot: number, buf: Buffer, off: number, len: number): void {
    const n = Math.min(len, TRACE_CAPTURE);
    this.bytes.set(buf.subarray(off, off + n), this.base(slot) * 4 + R.Words * 4);
    this.words[this.base(slot) + R.Len] = len;
  }

  /** Makes the claimed record visible to the reader. */
  publish(): void {
    Atomics.add(this.head, H.Write, 1);
  }

  // --- consumer ---

  /** Records ready to read (their slots in order), without taking them. */
  pending(): number {
    return (Atomics.load(this.head, H.Write) - Atomics.load(this.head, H.Read)) | 0;
  }

  /** The slot of the oldest unread record. */
  oldest(): number {
    return Atomics.load(this.head, H.Read) & (this.slots - 1);
  }

  get(slot: number, field: R): number {
    return this.words[this.base(slot) + field]!;
  }

  time(slot: number): number {
    return this.times[(this.base(slot) + R.Time) >> 1]!;
  }

  /** A copy of the record's frame bytes. */
  frame(slot: number): Buffer {
    const n = Math.min(this.get(slot, R.Len), TRACE_CAPTURE);
    const at = this.base(slot) * 4 + R.Words * 4;
    return Buffer.from(this.bytes.slice(at, at + n));
  }

  /** The oldest record was read. */
  advance(): void {
    Atomics.add(this.head, H.Read, 1);
  }

  get dropped(): number {
    return Atomics.load(this.head, H.Dropped);
  }
}
