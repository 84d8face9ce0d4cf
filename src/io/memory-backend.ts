// IoBackend in memory, for tests: frames are injected by the test, sent frames are recorded.
import { newIoCounters, type FrameHandler, type IoBackend, type IoCounters } from './io-backend.js';

export interface SentFrame {
  readonly ifIndex: number;
  readonly frame: Buffer;
}

export class MemoryBackend implements IoBackend {
  readonly name = 'memory';
  readonly counters: IoCounters = newIoCounters();
  readonly sent: SentFrame[] = [];
  private handler: FrameHandler | undefined;
  private readonly buf = Buffer.alloc(65536);

  open(_ifNames: readonly string[], handler: FrameHandler): void {
    this.handler = handler;
  }

  /** Delivers a copy of `frame` as if received on `ifIndex`. */
  inject(ifIndex: number, frame: Buffer): void {
    if (!this.handler) throw new Error('memory backend is not open');
    frame.copy(this.buf);
    this.counters.rxFrames++;
    this.counters.rxBytes += frame.length;
    this.handler(this.buf, frame.length, ifIndex);
  }

  send(ifIndex: number, buf: Buffer, len: number): boolean {
    this.sent.push({ ifIndex, frame: Buffer.from(buf.subarray(0, len)) });
    this.counters.txFrames++;
    this.counters.txBytes += len;
    return true;
  }

  close(): void {
    this.handler = undefined;
  }
}
