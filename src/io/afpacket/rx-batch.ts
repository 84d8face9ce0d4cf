// Frames handed over by ring readers, as parallel typed arrays: no object per frame. A frame
// lives in its ring at `frame[i]` (Ethernet header first), its virtio_net_hdr 10 bytes
// before, with the headroom of frame-layout.ts before that.

export class RxBatch {
  count = 0;
  /** Offset of the frame in its ring Buffer. */
  readonly frame: Uint32Array;
  /** Bytes of the frame (tp_snaplen; truncated frames never reach a batch). */
  readonly length: Uint32Array;
  /** tp_status bits (TpStatus: CsumNotReady, CsumValid, VlanValid…). */
  readonly status: Uint32Array;
  /** sll_pkttype (PktType: Host, Broadcast, Multicast, OtherHost). */
  readonly pktType: Uint8Array;
  /** Which reader the frame came from (the `source` it was made with): several may share a batch. */
  readonly source: Uint8Array;

  constructor(readonly capacity: number) {
    this.frame = new Uint32Array(capacity);
    this.length = new Uint32Array(capacity);
    this.status = new Uint32Array(capacity);
    this.pktType = new Uint8Array(capacity);
    this.source = new Uint8Array(capacity);
  }

  clear(): void {
    this.count = 0;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }
}

/** Per reader, cumulative. */
export interface RxCounters {
  frames: number;
  bytes: number;
  /** Frames cut by the ring (tp_snaplen < tp_len): counted, never delivered. */
  truncated: number;
  /** Frames whose status said the kernel dropped some before them (TP_STATUS_LOSING). */
  losing: number;
  /** Frames whose header pointed outside their slot or block: skipped. */
  malformed: number;
  /** V3: blocks taken; V2: unused. */
  blocks: number;
}

export function newRxCounters(): RxCounters {
  return { frames: 0, bytes: 0, truncated: 0, losing: 0, malformed: 0, blocks: 0 };
}

/**
 * Walks a receive ring. The reader owns the cursor: read() takes the ready frames from it on,
 * and they stay the reader's (the kernel will not overwrite them) until release(), which the
 * caller calls once the frames are processed and sent (frames are sent from the ring).
 */
export interface RingReader {
  readonly ring: Buffer;
  readonly counters: RxCounters;
  /** Appends ready frames to `batch` until it is full; returns how many it added. */
  read(batch: RxBatch): number;
  /** Gives back to the kernel every slot or block whose frames have all been read. */
  release(): void;
  /** Byte offset of the status word read() looks at next: the Waiter's cursor for this ring. */
  readonly cursor: number;
  /** After read(): the ring was more than half full (a flood outruns the reader). */
  readonly backlogged: boolean;
}
