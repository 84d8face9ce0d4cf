// A Clock for tests: time stands still until advance() moves it; due timers fire in order of
// their due time (then of arming), each with now() at its own due time. No sleeping.
import type { Clock, TimerId } from './clock.js';

interface Armed {
  readonly id: TimerId;
  readonly due: number;
  readonly fn: () => void;
}

/** Lets promise continuations (a checker's result, a script's exit) run to completion. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private t: number;
  private armed: Armed[] = [];
  private nextId = 1;

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): TimerId {
    const id = this.nextId++;
    this.armed.push({ id, due: this.t + Math.max(0, ms), fn });
    return id;
  }

  cancel(id: TimerId | undefined): void {
    this.armed = this.armed.filter((a) => a.id !== id);
  }

  /** Timers armed and not yet fired. */
  get pending(): number {
    return this.armed.length;
  }

  /** Due time of the next timer, if any. */
  nextDue(): number | undefined {
    return this.next()?.due;
  }

  private next(): Armed | undefined {
    let best: Armed | undefined;
    for (const a of this.armed) if (!best || a.due < best.due) best = a; // ties: first armed
    return best;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, synchronously. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (let a = this.next(); a && a.due <= target; a = this.next()) {
      this.fire(a);
    }
    this.t = target;
  }

  /**
   * As advance(), letting promise continuations settle after each timer (and before the
   * first): for code that awaits between timers, such as a checker's result.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.t + ms;
    await settle();
    for (let a = this.next(); a && a.due <= target; a = this.next()) {
      this.fire(a);
      await settle();
    }
    this.t = target;
  }

  private fire(a: Armed): void {
    this.armed = this.armed.filter((x) => x !== a);
    this.t = Math.max(this.t, a.due);
    a.fn();
  }
}
