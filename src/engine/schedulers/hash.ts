// Hashing helpers shared by the hashing schedulers (dh, sh, lblc, lblcr, mh).

/** Multiplicative 32-bit hash (Knuth, as the kernel's hash_32) to `bits` bits. */
export function hash32(v: number, bits: number): number {
  return Math.imul(v >>> 0, 0x61c88647) >>> (32 - bits);
}

/** A second, independent 32-bit mix (for Maglev's offset/skip and twos' randomness). */
export function mix32(v: number, seed: number): number {
  let h = (v ^ seed) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
