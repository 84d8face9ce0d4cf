// What lblc and lblcr share: IPVS's overload test and the weighted least-connection pick
// (ip_vs_lblc.c / ip_vs_lblcr.c).
import type { Dest } from '../dest.js';

/** Entries unused for this long are forgotten (IPVS's lblc_expiration, 24 h). */
export const LOCALITY_EXPIRATION_MS = 24 * 60 * 60 * 1000;

/** The available dest of least (active × 256 + inactive) / weight. */
export function weightedLeast(dests: Iterable<Dest>): Dest | undefined {
  let best: Dest | undefined;
  for (const d of dests) {
    if (!d.available) continue;
    if (!best || d.overhead * best.weight < best.overhead * d.weight) best = d;
  }
  return best;
}

/** Overloaded: more active connections than its weight while another server is under half. */
export function localityOverloaded(dest: Dest, all: readonly Dest[]): boolean {
  if (dest.activeConns <= dest.weight) return false;
  return all.some((d) => d.activeConns * 2 < d.weight);
}
