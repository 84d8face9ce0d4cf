// What lblc and lblcr share: IPVS's overload test, the weighted least-connection pick, and the
// periodic forgetting of unused entries (ip_vs_lblc.c / ip_vs_lblcr.c).
import type { LiveDest } from '../live-dest.js';

/** Entries unused for this long are forgotten (IPVS's lblc_expiration, 24 h). */
export const LOCALITY_EXPIRATION_MS = 24 * 60 * 60 * 1000;

/** How often the table is swept for unused entries (IPVS checks every minute). */
const SWEEP_EVERY_MS = 60 * 1000;

/** The available dest of least (active × 256 + inactive) / weight. */
export function weightedLeast(dests: Iterable<LiveDest>): LiveDest | undefined {
  let best: LiveDest | undefined;
  for (const d of dests) {
    if (!d.available) continue;
    if (!best || d.overhead * best.weight < best.overhead * d.weight) best = d;
  }
  return best;
}

/** Overloaded: more active connections than its weight while another server is under half. */
export function localityOverloaded(dest: LiveDest, all: readonly LiveDest[]): boolean {
  if (dest.activeConns <= dest.weight) return false;
  return all.some((d) => d.activeConns * 2 < d.weight);
}

/** The dest of `id` among `dests`, if it is still one of them. */
export function findDest(dests: readonly LiveDest[], id: number): LiveDest | undefined {
  for (const d of dests) if (d.id === id) return d;
  return undefined;
}

/** Says when the next sweep of unused entries is due. */
export class LocalitySweep {
  private last = -Infinity;

  due(now: number): boolean {
    if (now - this.last < SWEEP_EVERY_MS) return false;
    this.last = now;
    return true;
  }
}
