// Room for the frames the engine builds itself (ICMP errors, the segments of a GSO frame sent
// through a tunnel), each laid out as a received frame is (headroom, virtio_net_hdr, frame), and
// kept until the batch is flushed. When it is full, `onFull` flushes what is queued, and the
// arena starts again from the beginning.
import { FRAME_HEADROOM, MAX_FRAME } from '../packet/frame-layout.js';
import { VNET_HDR_LEN } from '../packet/virtio-net-hdr.js';

const DEFAULT_BYTES = 1 << 20;

export class TxArena {
  readonly buf: Buffer;
  private used = 0;
  onFull: () => void = () => {};

  constructor(bytes = DEFAULT_BYTES) {
    this.buf = Buffer.alloc(Math.max(bytes, 2 * (MAX_FRAME + FRAME_HEADROOM + VNET_HDR_LEN)));
  }

  /** Offset of a new frame of up to `len` bytes (its virtio_net_hdr zeroed before it). */
  reserve(len: number): number {
    const need = VNET_HDR_LEN + len;
    if (this.used + need > this.buf.length) {
      this.onFull();
      this.used = 0;
      if (need > this.buf.length) return -1;
    }
    const off = this.used + VNET_HDR_LEN;
    this.buf.fill(0, this.used, off);
    // Keep frames 2-byte aligned after the 14-byte Ethernet header (IP header 4-aligned).
    this.used = (off + len + 7) & ~7;
    return off;
  }

  /** The batch was flushed: the arena is free again. */
  reset(): void {
    this.used = 0;
  }
}
