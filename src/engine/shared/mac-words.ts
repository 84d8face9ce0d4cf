// A MAC address kept in shared memory as two 32-bit words: bytes 0-3 in the first, bytes 4-5 in
// the upper half of the second (the lower half free), so that a reader copies it with two loads.

/** Bytes 0-3 of the MAC at `off` of `buf`, as one word. */
export function macHiWord(buf: Uint8Array, off: number): number {
  return (buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
}

/** Bytes 4-5 of the MAC at `off` of `buf`, in the upper half of a word. */
export function macLoWord(buf: Uint8Array, off: number): number {
  return (buf[off + 4]! << 24) | (buf[off + 5]! << 16);
}

/** Writes the MAC held by the words `hi` and `lo` at `off` of `out`. */
export function writeMacWords(out: Uint8Array, off: number, hi: number, lo: number): void {
  out[off] = hi >>> 24;
  out[off + 1] = (hi >>> 16) & 0xff;
  out[off + 2] = (hi >>> 8) & 0xff;
  out[off + 3] = hi & 0xff;
  out[off + 4] = lo >>> 24;
  out[off + 5] = (lo >>> 16) & 0xff;
}
