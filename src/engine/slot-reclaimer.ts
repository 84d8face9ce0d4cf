// Giving the slots of removed connections back to the free list, once no lookup can still be
// standing on them: a slot removed while other threads were in a batch waits until each of them
// has finished that batch or gone idle (WorkerProgress), the userspace form of RCU's grace
// period. One per thread that removes connections (the expiry, a worker evicting under attack).
import type { ConnTable } from './conn-table.js';
import { MAX_THREADS } from './shared/limits.js';
import type { WorkerProgress } from './shared/worker-progress.js';

/** Generations waiting at once; a full ring waits for its oldest before taking more. */
const GENERATIONS = 8;

export class SlotReclaimer {
  private readonly slots: number[][] = Array.from({ length: GENERATIONS }, () => []);
  private readonly marks: Int32Array[] = Array.from(
    { length: GENERATIONS },
    () => new Int32Array(MAX_THREADS),
  );
  /** Generations [oldest, current]: current collects, the others wait. */
  private oldest = 0;
  private current = 0;

  constructor(
    private readonly conns: ConnTable,
    private readonly progress: WorkerProgress,
  ) {}

  /** A slot just unlinked from the table. */
  retire(i: number): void {
    this.slots[this.current]!.push(i);
  }

  /** Frees what is safe to free, and closes the current generation. Call between batches. */
  reclaim(): void {
    while (this.oldest !== this.current && this.progress.passedSince(this.marks[this.oldest]!)) {
      this.freeAll(this.oldest);
      this.oldest = (this.oldest + 1) % GENERATIONS;
    }
    const cur = this.slots[this.current]!;
    if (cur.length === 0) return;
    const mark = this.marks[this.current]!;
    this.progress.mark(mark);
    if (this.oldest === this.current && this.progress.passedSince(mark)) {
      // Nobody was in a batch: free at once.
      this.freeAll(this.current);
      return;
    }
    const next = (this.current + 1) % GENERATIONS;
    if (next === this.oldest) return; // ring full: keep collecting into the current generation
    this.current = next;
  }

  private freeAll(g: number): void {
    const list = this.slots[g]!;
    for (let k = 0; k < list.length; k++) this.conns.free(list[k]!);
    list.length = 0;
  }
}
