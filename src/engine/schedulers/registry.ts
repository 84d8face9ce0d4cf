// Schedulers by the name ipvsadm uses for them.
import { DestinationHashing } from './dh.js';
import { WeightedFailover } from './fo.js';
import { LeastConnection } from './lc.js';
import { LocalityLeastConnection } from './lblc.js';
import { LocalityLeastConnectionReplicated } from './lblcr.js';
import { MaglevHashing } from './mh.js';
import { NeverQueue } from './nq.js';
import { WeightedOverflow } from './ovf.js';
import { ShortestExpectedDelay } from './sed.js';
import { SourceHashing } from './sh.js';
import { TwosChoice } from './twos.js';
import { RoundRobin } from './rr.js';
import type { SchedState } from './sched-state.js';
import type { Scheduler, SchedulerFactory } from './scheduler.js';
import { WeightedLeastConnection } from './wlc.js';
import { WeightedRoundRobin } from './wrr.js';

const FACTORIES = new Map<string, SchedulerFactory>([
  ['rr', (_flags, state) => new RoundRobin(state)],
  ['wrr', (_flags, state) => new WeightedRoundRobin(state)],
  ['lc', () => new LeastConnection()],
  ['wlc', () => new WeightedLeastConnection()],
  ['lblc', () => new LocalityLeastConnection()],
  ['lblcr', () => new LocalityLeastConnectionReplicated()],
  ['dh', () => new DestinationHashing()],
  ['sh', (flags) => new SourceHashing(flags)],
  ['sed', () => new ShortestExpectedDelay()],
  ['nq', () => new NeverQueue()],
  ['fo', () => new WeightedFailover()],
  ['ovf', () => new WeightedOverflow()],
  ['mh', (flags) => new MaglevHashing(flags)],
  ['twos', () => new TwosChoice()],
]);

export function schedulerNames(): string[] {
  return [...FACTORIES.keys()];
}

/** A new scheduler instance, or undefined when the name is unknown. */
export function createScheduler(
  name: string,
  flags: readonly string[],
  state: SchedState,
): Scheduler | undefined {
  return FACTORIES.get(name)?.(flags, state);
}

export function isSchedulerName(name: string): boolean {
  return FACTORIES.has(name);
}
