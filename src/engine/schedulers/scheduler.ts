// The shape every scheduler shares, registered under the name ipvsadm uses.
import type { Dest } from '../dest.js';

/** What a scheduler may look at in the packet that opens a connection. */
export interface FlowInfo {
  readonly proto: number;
  readonly srcAddr: number;
  readonly srcPort: number;
  readonly dstAddr: number;
  readonly dstPort: number;
  /** Current time in ms (schedulers with time-based state: lblc, lblcr). */
  readonly now: number;
}

export interface Scheduler {
  /** As ipvsadm spells it: "wrr". */
  readonly name: string;
  /** Membership or weights changed; `dests` are the service's dests in order. */
  destsChanged(dests: readonly Dest[]): void;
  /** The real server for a new connection, or undefined when none is available. */
  schedule(dests: readonly Dest[], flow: FlowInfo): Dest | undefined;
}

export type SchedulerFactory = (flags: readonly string[]) => Scheduler;
