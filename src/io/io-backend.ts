// How frames arrive and leave for an engine that runs on the main thread (pcap, memory), hidden
// behind one interface. Frames follow packet/frame-layout.ts: at `off` in `buf`, their
// virtio_net_hdr just before. (The AF_PACKET fast path runs in worker threads with its own ring
// reader and transmit queue; see daemon/worker/.)

/**
 * Called for each received frame. `buf` is owned by the backend and reused for the next frame:
 * the handler may rewrite it in place and send it, but must not keep it.
 */
export type FrameHandler = (buf: Buffer, off: number, len: number, ifIndex: number) => void;

export interface IoCounters {
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  txErrors: number;
  /** Frames that did not fit the capture buffer. */
  rxTruncated: number;
}

export interface FrameSender {
  /** Sends the `len`-byte frame at `off` of `buf` on interface `ifIndex`; false when it failed. */
  send(ifIndex: number, buf: Buffer, off: number, len: number): boolean;
}

export interface IoBackend extends FrameSender {
  /** Short name for logs and metrics: "pcap", "memory"… */
  readonly name: string;
  /** Starts receiving on the given interfaces (by name); frames go to `handler`. */
  open(ifNames: readonly string[], handler: FrameHandler): void;
  readonly counters: IoCounters;
  close(): void;
}

export function newIoCounters(): IoCounters {
  return { rxFrames: 0, rxBytes: 0, txFrames: 0, txBytes: 0, txErrors: 0, rxTruncated: 0 };
}
