// How far each forwarding thread has got: a batch counter it bumps after every batch, and a flag
// it raises while it waits for frames. The expiry reuses a removed connection's slot only once
// every thread has been idle or finished a batch since the removal: no lookup can still be
// standing on it (the userspace form of RCU's grace period).
import { MAX_THREADS } from './limits.js';
import type { Part, SharedRegion } from './region.js';

const enum W {
  Batches = 0,
  Idle = 1,
  /** 1 while a worker thread runs in this slot. */
  Running = 2,
  Words = 4,
}

export class WorkerProgress {
  private readonly words: Int32Array;

  static parts(): Part[] {
    return [{ name: 'thread.progress', bytes: MAX_THREADS * W.Words * 4 }];
  }

  constructor(region: SharedRegion) {
    this.words = region.int32('thread.progress', MAX_THREADS * W.Words);
  }

  // --- written by a worker about itself ---

  running(thread: number, on: boolean): void {
    Atomics.store(this.words, thread * W.Words + W.Running, on ? 1 : 0);
    Atomics.store(this.words, thread * W.Words + W.Idle, on ? 0 : 1);
  }

  batchDone(thread: number): void {
    Atomics.add(this.words, thread * W.Words + W.Batches, 1);
  }

  idle(thread: number, on: boolean): void {
    Atomics.store(this.words, thread * W.Words + W.Idle, on ? 1 : 0);
  }

  // --- read by the expiry ---

  /** Batch counters of every running, busy thread now (-1 for idle or absent ones). */
  mark(out: Int32Array): void {
    for (let t = 0; t < MAX_THREADS; t++) {
      const b = t * W.Words;
      const busy =
        Atomics.load(this.words, b + W.Running) === 1 && Atomics.load(this.words, b + W.Idle) === 0;
      out[t] = busy ? Atomics.load(this.words, b + W.Batches) : -1;
    }
  }

  /** True when every thread busy at `mark` has since finished a batch or gone idle. */
  passedSince(mark: Int32Array): boolean {
    for (let t = 0; t < MAX_THREADS; t++) {
      if (mark[t] === -1) continue;
      const b = t * W.Words;
      if (Atomics.load(this.words, b + W.Running) !== 1) continue;
      if (Atomics.load(this.words, b + W.Idle) === 1) continue;
      if (Atomics.load(this.words, b + W.Batches) === mark[t]) return false;
    }
    return true;
  }
}
