// One traced frame as uvsd hands it to `uvsadm --trace` over the control socket (JSON): the
// frame as received, every frame sent for it, and what the engine did, in words.
import type { TraceVerdict } from './trace-line.js';

export interface TracedOut {
  readonly ifName: string;
  /** The frame's first bytes, base64 (at most the trace ring's capture size). */
  readonly frame: string;
  /** The frame's whole length. */
  readonly len: number;
}

export interface TraceRecord {
  /** Per uvsd, from 1, in the order uvsd read the records. */
  readonly seq: number;
  /** When the frame was read (ms since the epoch, fractional). */
  readonly timeMs: number;
  readonly inIf: string;
  readonly inFrame: string;
  readonly inLen: number;
  readonly outs: readonly TracedOut[];
  readonly verdict: TraceVerdict;
  readonly dropReason?: string;
  readonly method?: string;
  readonly way?: 'to-server' | 'to-client';
  readonly realServer?: string;
  readonly state?: string;
}

/** What `traceRead` answers: the records since the last read and how many were lost. */
export interface TraceBatch {
  readonly records: readonly TraceRecord[];
  /** Records lost so far (a ring or the session's backlog was full): the reader was slow. */
  readonly dropped: number;
}
