// The shape every scheduler shares, registered under the name ipvsadm uses.
import type { FrameFields } from '../frame-fields.js';
import type { LiveDest } from '../live-dest.js';
import type { SchedState } from './sched-state.js';

export interface Scheduler {
  /** As ipvsadm spells it: "wrr". */
  readonly name: string;
  /** Membership or weights changed; `dests` are the service's dests in order. */
  destsChanged(dests: readonly LiveDest[]): void;
  /** The real server for a new connection, or undefined when none is available. */
  schedule(dests: readonly LiveDest[], f: FrameFields): LiveDest | undefined;
}

/** Makes a scheduler; `state` is its service's shared state (for rr and wrr). */
export type SchedulerFactory = (flags: readonly string[], state: SchedState) => Scheduler;
