// Time as an interface: the control plane's state machines (VRRP, checkers' retry and alpha,
// quorum) read `now()` and arm timers through a Clock, so that tests drive them with the
// FakeClock and never sleep to see a timer fire.
import { performance } from 'node:perf_hooks';

/** Identifies an armed timer; 0 is never a timer. */
export type TimerId = number;

export interface Clock {
  /** Milliseconds on a monotonic scale (only differences mean something). */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now (0 or less: as soon as possible). */
  setTimer(ms: number, fn: () => void): TimerId;
  /** Disarms a timer; a timer that already fired, or undefined, is ignored. */
  cancel(id: TimerId | undefined): void;
}

/** The process's clock: performance.now() and setTimeout. */
export class RealClock implements Clock {
  private readonly timers = new Map<TimerId, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return performance.now();
  }

  setTimer(ms: number, fn: () => void): TimerId {
    const id = this.nextId++;
    const t = setTimeout(
      () => {
        this.timers.delete(id);
        fn();
      },
      Math.max(0, ms),
    );
    this.timers.set(id, t);
    return id;
  }

  cancel(id: TimerId | undefined): void {
    if (id === undefined) return;
    const t = this.timers.get(id);
    if (t === undefined) return;
    clearTimeout(t);
    this.timers.delete(id);
  }

  /** Timers armed and not yet fired (for shutdown checks). */
  get pending(): number {
    return this.timers.size;
  }
}
