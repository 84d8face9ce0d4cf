// What both capture writers offer: a frame, the interface it crossed, when, and which way.
import type { Direction } from './capture.js';

export interface FrameToWrite {
  readonly data: Buffer;
  /** Bytes of `data` to write (default: all of it). */
  readonly len?: number;
  /** The frame's length on the wire when only its first `len` bytes are kept (default: `len`). */
  readonly origLen?: number;
  /** Index of an interface given to the writer (pcapng); ignored by classic pcap. */
  readonly iface?: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly direction?: Direction;
}

export interface CaptureWriter {
  write(frame: FrameToWrite): void;
  close(): void;
}
