// IoBackend in memory, for tests: frames are injected by the test, sent frames are recorded
// (with their virtio_net_hdr, so that tests can check GSO fields).
import { VNET_HDR_LEN } from '../packet/virtio-net-hdr.js';
import { FIRST_FRAME_OFFSET, MAX_FRAME } from '../packet/frame-layout.js';
import { newIoCounters, type FrameHandler, type IoBackend, type IoCounters } from './io-backend.js';

export interface SentFrame {
  readonly ifIndex: number;
  readonly frame: Buffer;
  /** The 10-byte virtio_net_hdr it was sent with. */
  readonly vnet: Buffer;
}

export class MemoryBackend implements IoBackend {
  readonly name = 'memory';
  readonly counters: IoCounters = newIoCounters();
  readonly sent: SentFrame[] = [];
  private handler: FrameHandler | undefined;
  private readonly buf = Buffer.alloc(FIRST_FRAME_OFFSET + MAX_FRAME);

  open(_ifNames: readonly string[], handler: FrameHandler): void {
    this.handler = handler;
  }

  /** Delivers a copy of `frame` as if received on `ifIndex`, with `vnet` (zeros by default). */
  inject(ifIndex: number, frame: Buffer, vnet?: Buffer): void {
    if (!this.handler) throw new Error('memory backend is not open');
    const off = FIRST_FRAME_OFFSET;
    this.buf.fill(0, off - VNET_HDR_LEN, off);
    vnet?.copy(this.buf, off - VNET_HDR_LEN, 0, VNET_HDR_LEN);
    frame.copy(this.buf, off);
    this.counters.rxFrames++;
    this.counters.rxBytes += frame.length;
    this.handler(this.buf, off, frame.length, ifIndex);
  }

  send(ifIndex: number, buf: Buffer, off: number, len: number): boolean {
    this.sent.push({
      ifIndex,
      frame: Buffer.from(buf.subarray(off, off + len)),
      vnet: Buffer.from(buf.subarray(off - VNET_HDR_LEN, off)),
    });
    this.counters.txFrames++;
    this.counters.txBytes += len;
    return true;
  }

  close(): void {
    this.handler = undefined;
  }
}
