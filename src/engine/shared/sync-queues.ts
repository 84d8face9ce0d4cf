// The connections a sync master must tell its backups about now: while the master sync daemon
// runs, each forwarding thread appends the slot of a connection (and of the template that
// controls it) when IPVS's rules say so (conn-lifecycle.ts), and the main thread drains the
// queues into sync messages. A slot of the IPv6 table is queued as its complement (~slot, a
// negative word), so that one ring carries both tables' connections in the order they changed.
// One ring per thread, one producer and one consumer; a full ring drops and counts (the
// connection's next trigger syncs it again). Nothing is written while no master daemon runs.
import { MAX_THREADS } from './limits.js';
import type { Part, SharedRegion } from './region.js';

/** Slots per thread's ring (a burst of 8192 changes between two drains of 100 ms); a power of 2. */
const SLOTS = 8192;

const enum H {
  Write = 0,
  Read = 1,
  Dropped = 2,
  Words = 4,
}

/** Ring stride in words: its head, then its slots. */
const STRIDE = H.Words + SLOTS;

export class SyncQueues {
  private readonly words: Int32Array;
  /** Word 0: 1 while a master sync daemon runs. */
  private readonly on: Int32Array;

  static parts(): Part[] {
    return [
      { name: 'sync.on', bytes: 8 },
      { name: 'sync.queues', bytes: MAX_THREADS * STRIDE * 4 },
    ];
  }

  constructor(region: SharedRegion) {
    this.on = region.int32('sync.on', 2);
    this.words = region.int32('sync.queues', MAX_THREADS * STRIDE);
  }

  /** The master sync daemon started (true) or stopped (false). */
  setActive(active: boolean): void {
    if (active) {
      // Whatever a previous master left unread is stale.
      for (let t = 0; t < MAX_THREADS; t++) {
        const b = t * STRIDE;
        Atomics.store(this.words, b + H.Read, Atomics.load(this.words, b + H.Write));
      }
    }
    Atomics.store(this.on, 0, active ? 1 : 0);
  }

  get active(): boolean {
    return Atomics.load(this.on, 0) === 1;
  }

  // --- a forwarding thread, about its own ring ---

  /** Queues `slot` of the IPv4 table, or of the IPv6 table when `v6`. */
  push(thread: number, slot: number, v6 = false): void {
    const b = thread * STRIDE;
    const w = Atomics.load(this.words, b + H.Write);
    // Counters wrap at 2^32: differences and masks stay right across the wrap.
    if (((w - Atomics.load(this.words, b + H.Read)) | 0) >= SLOTS) {
      Atomics.add(this.words, b + H.Dropped, 1);
      return;
    }
    this.words[b + H.Words + (w & (SLOTS - 1))] = v6 ? ~slot : slot;
    Atomics.store(this.words, b + H.Write, (w + 1) | 0);
  }

  // --- the main thread ---

  /**
   * Hands `take` up to `max` queued slots, oldest first per thread, each with its table (`v6`
   * true: the IPv6 table's); returns how many.
   */
  drain(max: number, take: (slot: number, v6: boolean) => void): number {
    let n = 0;
    for (let t = 0; t < MAX_THREADS && n < max; t++) {
      const b = t * STRIDE;
      let r = Atomics.load(this.words, b + H.Read);
      const w = Atomics.load(this.words, b + H.Write);
      for (; r !== w && n < max; r = (r + 1) | 0, n++) {
        const q = this.words[b + H.Words + (r & (SLOTS - 1))]!;
        if (q < 0) take(~q, true);
        else take(q, false);
      }
      Atomics.store(this.words, b + H.Read, r);
    }
    return n;
  }

  /** Slots dropped because a ring was full, over every thread. */
  get dropped(): number {
    let n = 0;
    for (let t = 0; t < MAX_THREADS; t++) n += Atomics.load(this.words, t * STRIDE + H.Dropped);
    return n;
  }
}
