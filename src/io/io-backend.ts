// How frames arrive and leave, hidden behind one interface (pcap, afpacket, memory).

/**
 * Called for each received frame. `buf` is owned by the backend and reused for the next frame:
 * the handler may rewrite it in place and send it, but must not keep it.
 */
export type FrameHandler = (buf: Buffer, len: number, ifIndex: number) => void;

export interface IoCounters {
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  txErrors: number;
  /** Frames that did not fit the capture buffer. */
  rxTruncated: number;
}

export interface IoBackend {
  /** Short name for logs and metrics: "pcap", "memory"… */
  readonly name: string;
  /** Starts receiving on the given interfaces (by name); frames go to `handler`. */
  open(ifNames: readonly string[], handler: FrameHandler): void;
  /** Sends `len` bytes of `buf` on interface `ifIndex`; false when the send failed. */
  send(ifIndex: number, buf: Buffer, len: number): boolean;
  readonly counters: IoCounters;
  close(): void;
}

export function newIoCounters(): IoCounters {
  return { rxFrames: 0, rxBytes: 0, txFrames: 0, txBytes: 0, txErrors: 0, rxTruncated: 0 };
}
