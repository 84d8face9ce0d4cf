// Samples (one measurement of one round) and results (the best of the rounds, as written to
// bench/results/latest.json), and how the first become the second (pure).
import { workloadSpec } from './workloads.js';

/** Which path, and for uvs which io backend and how many workers. */
export interface PathId {
  readonly path: string;
  /** uvs's io backend ('pcap', 'afpacket'), 'memory' for the engine alone; null elsewhere. */
  readonly io: string | null;
  readonly workers: number | null;
}

export interface Sample extends PathId {
  readonly workload: string;
  readonly round: number;
  /** null: not measured; `note` says why. */
  readonly value: number | null;
  readonly note?: string;
}

export interface BenchResult extends PathId {
  readonly workload: string;
  readonly value: number | null;
  readonly unit: string;
  /** Every round's value, in order (null where a round had none). */
  readonly rounds: readonly (number | null)[];
  readonly note?: string;
}

export function pathKey(p: PathId): string {
  return `${p.path}|${p.io ?? ''}|${p.workers ?? ''}`;
}

/** "uvs-nat", or "uvs-nat (pcap, 2 workers)" for a uvs variant. */
export function pathLabel(p: PathId): string {
  if (p.io === null || p.path === 'engine') return p.path;
  const workers = p.workers === null ? '' : `, ${p.workers} worker${p.workers === 1 ? '' : 's'}`;
  return `${p.path} (${p.io}${workers})`;
}

/** Best of the rounds per path and workload, in the order samples first appear. */
export function aggregate(samples: readonly Sample[]): BenchResult[] {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const k = `${pathKey(s)}#${s.workload}`;
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  const out: BenchResult[] = [];
  for (const g of groups.values()) {
    const first = g[0]!;
    const spec = workloadSpec(first.workload);
    const values = g.map((s) => s.value).filter((v): v is number => v !== null);
    const best =
      values.length === 0
        ? null
        : spec.better === 'higher'
          ? Math.max(...values)
          : Math.min(...values);
    const notes = [...new Set(g.map((s) => s.note).filter((n): n is string => n !== undefined))];
    out.push({
      path: first.path,
      io: first.io,
      workers: first.workers,
      workload: first.workload,
      value: best,
      unit: spec.unit,
      rounds: [...g].sort((a, b) => a.round - b.round).map((s) => s.value),
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    });
  }
  return [...out, ...latencyAdded(out)];
}

/** latency-added-us of every path but routing: its best median minus routing's. */
function latencyAdded(results: readonly BenchResult[]): BenchResult[] {
  const routing = results.find((r) => r.path === 'routing' && r.workload === 'latency-us');
  return results
    .filter((r) => r.workload === 'latency-us' && r.path !== 'routing')
    .map((r) => {
      const value = routing?.value != null && r.value !== null ? r.value - routing.value : null;
      return {
        path: r.path,
        io: r.io,
        workers: r.workers,
        workload: 'latency-added-us',
        value,
        unit: 'µs',
        rounds: [],
        ...(value === null
          ? { note: routing ? 'no latency for this path' : 'routing was not measured' }
          : {}),
      };
    });
}

/** The kernel's path present in `results`: kernel-ipvs where ip_vs ran, else kernel-nat. */
export function kernelPath(results: readonly BenchResult[]): string {
  return results.some((r) => r.path === 'kernel-ipvs' && r.value !== null)
    ? 'kernel-ipvs'
    : 'kernel-nat';
}

/** `r`'s value divided by `refPath`'s for the same workload; null when either is missing. */
export function ratioTo(
  results: readonly BenchResult[],
  r: BenchResult,
  refPath: string,
): number | null {
  const ref = results.find((x) => x.path === refPath && x.workload === r.workload);
  if (!ref || ref.value === null || ref.value === 0 || r.value === null) return null;
  return r.value / ref.value;
}
