// Spin locks in shared memory (an Int32Array word each), for the short critical sections of the
// fast path: linking a connection into a hash chain, a scheduler's position, the expiry wheel.
// A lock word holds its owner's id (thread id + 1), so that the main thread can release the
// locks of a worker that died while holding one. Critical sections never wait on anything.

/** Thread ids: 0 is the main thread, 1..N the forwarding workers. */
export type ThreadId = number;

export function lock(words: Int32Array, index: number, owner: ThreadId): void {
  const tag = owner + 1;
  while (Atomics.compareExchange(words, index, 0, tag) !== 0) {
    // Another thread holds it for a few instructions: spin.
  }
}

export function unlock(words: Int32Array, index: number): void {
  Atomics.store(words, index, 0);
}

/** Releases every lock in `words` held by `owner` (a worker that died). Returns how many. */
export function releaseLocksOf(words: Int32Array, owner: ThreadId): number {
  const tag = owner + 1;
  let n = 0;
  for (let i = 0; i < words.length; i++) {
    if (Atomics.compareExchange(words, i, tag, 0) === tag) n++;
  }
  return n;
}
