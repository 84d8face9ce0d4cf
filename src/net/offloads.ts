// Receive offloads that would hand uvs frames it cannot send on: GRO/LRO merge segments into
// super-frames larger than the MTU. uvsd turns them off on the interfaces it serves, and
// says so. (Transmit offloads of a *local* sender over veth are another matter: its frames
// can carry a partial checksum that libpcap cannot detect; the lab and the tests therefore
// turn off tx checksumming and TSO/GSO on the peers' interfaces, as a real wire would.)
import { run } from './run.js';

export class OffloadError extends Error {
  readonly code = 'E_OFFLOAD';
}

/** Features that merge received frames. */
export const MERGING_FEATURES = [
  'generic-receive-offload',
  'large-receive-offload',
  'rx-gro-hw',
  'rx-gro-list',
];

/** Features on, among `MERGING_FEATURES`, in `ethtool -k` output (pure). */
export function mergingFeaturesOn(ethtoolK: string): string[] {
  const on: string[] = [];
  for (const line of ethtoolK.split('\n')) {
    const m = /^\s*([a-z0-9-]+):\s+on(\s|$)/.exec(line);
    if (m && MERGING_FEATURES.includes(m[1]!) && !line.includes('[fixed]')) on.push(m[1]!);
  }
  return on;
}

const SHORT: Record<string, string> = {
  'generic-receive-offload': 'gro',
  'large-receive-offload': 'lro',
  'rx-gro-hw': 'rx-gro-hw',
  'rx-gro-list': 'rx-gro-list',
};

/**
 * Turns merging offloads off on `ifName`; returns what it changed (for a warning). Throws
 * OffloadError naming the interface when they cannot be turned off.
 */
export async function fixReceiveOffloads(ifName: string): Promise<string[]> {
  let text: string;
  try {
    text = await run('ethtool', ['-k', ifName]);
  } catch (err) {
    throw new OffloadError(
      `cannot read offloads of ${ifName} (is ethtool installed?): ${(err as Error).message}`,
    );
  }
  const on = mergingFeaturesOn(text);
  if (on.length === 0) return [];
  const args = ['-K', ifName, ...on.flatMap((f) => [SHORT[f] ?? f, 'off'])];
  try {
    await run('ethtool', args);
  } catch (err) {
    throw new OffloadError(
      `${ifName}: ${on.join(', ')} must be off (merged super-frames exceed the MTU and cannot be re-sent), ` +
        `but turning them off failed: ${(err as Error).message}`,
    );
  }
  const still = mergingFeaturesOn(await run('ethtool', ['-k', ifName]));
  if (still.length > 0) {
    throw new OffloadError(
      `${ifName}: ${still.join(', ')} stayed on; uvs cannot serve this interface`,
    );
  }
  return on;
}
