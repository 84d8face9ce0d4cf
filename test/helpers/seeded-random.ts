// Random test data that is the same on every run: a failure can be replayed, and a passing run
// means the same thing each time. mulberry32 (a 32-bit state, a few multiplications a number):
// enough for test data, not for anything that needs unpredictability.

export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A 32-bit unsigned integer. */
  next32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [min, max), or in [0, min) with one argument: node:crypto's randomInt. */
  int(min: number, max?: number): number {
    const [lo, hi] = max === undefined ? [0, min] : [min, max];
    if (!(hi > lo) || hi - lo > 2 ** 32)
      throw new RangeError(`int(${lo}, ${hi}): empty or too wide`);
    return lo + Math.floor((this.next32() / 2 ** 32) * (hi - lo));
  }

  /** `n` bytes. */
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.next32();
      for (let k = 0; k < 4 && i + k < n; k++) b[i + k] = (v >>> (8 * k)) & 0xff;
    }
    return b;
  }
}
