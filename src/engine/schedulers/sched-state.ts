// A scheduler's own state, for the schedulers that have any (rr's last server, wrr's position and
// current weight), in shared memory: with several workers scheduling for one service, they take
// turns on one sequence, as IPVS's schedulers do under their per-service lock.
import { MAX_SERVICES } from '../shared/limits.js';
import type { Part, SharedRegion } from '../shared/region.js';
import { lock, type ThreadId, unlock } from '../shared/spin-lock.js';

const WORDS = 8;
/** Word 0 is the lock; a scheduler uses words 1..WORDS-1. */
const LOCK = 0;

export class SchedStates {
  readonly words: Int32Array;

  static parts(): Part[] {
    return [{ name: 'sched.state', bytes: MAX_SERVICES * WORDS * 4 }];
  }

  constructor(region: SharedRegion) {
    this.words = region.int32('sched.state', MAX_SERVICES * WORDS);
  }

  /** The state of service `svc`, as seen by thread `owner`. */
  of(svc: number, owner: ThreadId): SchedState {
    return new SchedState(this.words, svc * WORDS, owner);
  }

  /** Releases the schedulers' locks a dead worker held. */
  releaseLocksOf(owner: ThreadId): number {
    let n = 0;
    for (let b = 0; b < this.words.length; b += WORDS) {
      if (Atomics.compareExchange(this.words, b + LOCK, owner + 1, 0) === owner + 1) n++;
    }
    return n;
  }

  /** A service's slot is (re)used: its scheduler starts afresh. */
  reset(svc: number): void {
    this.words.fill(0, svc * WORDS, (svc + 1) * WORDS);
  }
}

export class SchedState {
  constructor(
    private readonly words: Int32Array,
    private readonly base: number,
    private readonly owner: ThreadId,
  ) {}

  lock(): void {
    lock(this.words, this.base + LOCK, this.owner);
  }

  unlock(): void {
    unlock(this.words, this.base + LOCK);
  }

  /** Word `k` (1..7); 0 until first set. */
  get(k: number): number {
    return this.words[this.base + k]!;
  }

  set(k: number, v: number): void {
    this.words[this.base + k] = v;
  }
}

/** A private state, for schedulers used outside the engine (tests). */
export function privateSchedState(): SchedState {
  return new SchedState(new Int32Array(WORDS), 0, 0);
}
