// Schedulers by the name ipvsadm uses for them.
import { LeastConnection } from './lc.js';
import { RoundRobin } from './rr.js';
import type { Scheduler, SchedulerFactory } from './scheduler.js';
import { WeightedLeastConnection } from './wlc.js';
import { WeightedRoundRobin } from './wrr.js';

const FACTORIES = new Map<string, SchedulerFactory>([
  ['rr', () => new RoundRobin()],
  ['wrr', () => new WeightedRoundRobin()],
  ['lc', () => new LeastConnection()],
  ['wlc', () => new WeightedLeastConnection()],
]);

export function schedulerNames(): string[] {
  return [...FACTORIES.keys()];
}

/** A new scheduler instance, or undefined when the name is unknown. */
export function createScheduler(name: string, flags: readonly string[] = []): Scheduler | undefined {
  return FACTORIES.get(name)?.(flags);
}
