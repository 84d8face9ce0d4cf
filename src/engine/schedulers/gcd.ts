/** Greatest common divisor of two non-negative integers (wrr's step, mh's weight turns). */
export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
