// Frames to send, queued as four uint32 per frame for one native call (Transmitter.send):
//   [socket id, buffer id, frame offset, frame length]
// The socket and buffer ids are the Transmitter's (addSocket/addBuffer). The frame sits at
// `offset` in its buffer with its 10-byte virtio_net_hdr just before (frame-layout.ts), and is
// sent from there: a frame from a ring must be flushed before its slot is released.
import type { NativeTransmitter } from './native.js';

export const enum TxEntry {
  Socket = 0,
  Buffer = 1,
  Offset = 2,
  Length = 3,
  Stride = 4,
}

export interface TxCounters {
  sent: number;
  sentBytes: number;
  /** Frames the kernel refused (link down, queue full, frame too big for the MTU). */
  failed: number;
  /** Entries naming an unknown socket or buffer, or lying outside their buffer. */
  invalid: number;
  /** errno of the last failure (0: none yet). */
  lastErrno: number;
}

export class TxQueue {
  count = 0;
  readonly entries: Uint32Array;

  constructor(
    private readonly transmitter: NativeTransmitter,
    readonly capacity = 1024,
  ) {
    this.entries = new Uint32Array(capacity * TxEntry.Stride);
  }

  /** Queues a frame; a full queue is flushed first. */
  push(socket: number, buffer: number, offset: number, length: number): void {
    if (this.count === this.capacity) this.flush();
    const e = this.count++ * TxEntry.Stride;
    const q = this.entries;
    q[e + TxEntry.Socket] = socket;
    q[e + TxEntry.Buffer] = buffer;
    q[e + TxEntry.Offset] = offset;
    q[e + TxEntry.Length] = length;
  }

  /** Sends every queued frame (one sendmmsg per socket and 256 frames); returns how many left. */
  flush(): number {
    if (this.count === 0) return 0;
    const sent = this.transmitter.send(this.entries, this.count);
    this.count = 0;
    return sent;
  }

  /** Copies the transmitter's cumulative counters into `into`. */
  counters(into: TxCounters): TxCounters {
    const s = this.transmitter.stats;
    into.sent = s[0]!;
    into.sentBytes = s[1]!;
    into.failed = s[2]!;
    into.invalid = s[3]!;
    into.lastErrno = s[4]!;
    return into;
  }
}

export function newTxCounters(): TxCounters {
  return { sent: 0, sentBytes: 0, failed: 0, invalid: 0, lastErrno: 0 };
}
