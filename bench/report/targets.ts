// The targets of issue 9, checked against a run's results (pure): met or missed, and by how
// much. A target whose figures are missing is "not measured", never met by default.
import { kernelPath, pathLabel, ratioTo, type BenchResult } from './result.js';

export interface Target {
  readonly text: string;
  /** The uvs path it applies to (every io/workers variant of it), or 'engine'. */
  readonly path: string;
  readonly workload: string;
  /** Compared against: the value itself, or its ratio to the kernel's path or to haproxy. */
  readonly against: 'value' | 'kernel' | 'haproxy';
  readonly op: '>=' | '<=';
  readonly threshold: number;
}

export const TARGETS: readonly Target[] = [
  ...(['keepalive-rps', 'new-conn-rps'] as const).flatMap((w) => [
    t(`NAT ${w} ≥ 0.9x kernel`, 'uvs-nat', w, 'kernel', '>=', 0.9),
    t(`NAT ${w} ≥ haproxy`, 'uvs-nat', w, 'haproxy', '>=', 1),
  ]),
  t('NAT bulk-MBps ≥ 0.8x kernel', 'uvs-nat', 'bulk-MBps', 'kernel', '>=', 0.8),
  t('NAT bulk-MBps ≥ haproxy', 'uvs-nat', 'bulk-MBps', 'haproxy', '>=', 1),
  t('NAT udp-pps ≥ 0.9x kernel', 'uvs-nat', 'udp-pps', 'kernel', '>=', 0.9),
  ...['uvs-nat', 'uvs-dr', 'uvs-tun'].map((p) =>
    t(
      `${p.slice(4).toUpperCase()} latency added ≤ 15 µs`,
      p,
      'latency-added-us',
      'value',
      '<=',
      15,
    ),
  ),
  t('DR keepalive-rps ≥ 1.0x kernel', 'uvs-dr', 'keepalive-rps', 'kernel', '>=', 1),
  t('engine ≥ 10 M frames/s on one core', 'engine', 'engine-mpps', 'value', '>=', 10),
  t('≤ 200 bytes per connection', 'uvs-nat', 'bytes-per-conn', 'value', '<=', 200),
  t(
    'lookups with 1 M connections ≤ 1.3x with 1 k',
    'engine',
    'lookup-cost-1m-vs-1k',
    'value',
    '<=',
    1.3,
  ),
];

function t(
  text: string,
  path: string,
  workload: string,
  against: Target['against'],
  op: Target['op'],
  threshold: number,
): Target {
  return { text, path, workload, against, op, threshold };
}

export interface TargetCheck {
  readonly target: Target;
  /** The path label it was checked on ("uvs-nat (pcap, 1 worker)"). */
  readonly subject: string;
  /** The compared figure (a ratio for 'kernel'/'haproxy'), or null when not measured. */
  readonly actual: number | null;
  readonly met: boolean | null;
  /** "+12% above", "21% short", "4.1 µs over"…; or why it was not measured. */
  readonly margin: string;
}

/** Every target on every variant of its path present in `results`. */
export function checkTargets(results: readonly BenchResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const target of TARGETS) {
    const subjects = results.filter(
      (r) => r.path === target.path && r.workload === target.workload,
    );
    if (subjects.length === 0) {
      checks.push({
        target,
        subject: target.path,
        actual: null,
        met: null,
        margin: 'not measured',
      });
      continue;
    }
    for (const r of subjects) checks.push(checkOne(target, r, results));
  }
  return checks;
}

function checkOne(target: Target, r: BenchResult, results: readonly BenchResult[]): TargetCheck {
  const subject = pathLabel(r);
  const ref =
    target.against === 'kernel'
      ? kernelPath(results)
      : target.against === 'haproxy'
        ? 'haproxy'
        : '';
  const actual = ref === '' ? r.value : ratioTo(results, r, ref);
  if (actual === null) {
    const why = r.value === null ? (r.note ?? 'not measured') : `${ref} not measured`;
    return { target, subject, actual, met: null, margin: why };
  }
  const met = target.op === '>=' ? actual >= target.threshold : actual <= target.threshold;
  return { target, subject, actual, met, margin: marginText(target, actual) };
}

/** How far `actual` is from the threshold, in the target's own terms. */
export function marginText(target: Target, actual: number): string {
  const thr = target.threshold;
  if (target.against !== 'value' || target.op === '>=') {
    const rel = (actual - thr) / thr;
    const pct = `${Math.abs(rel * 100).toFixed(0)}%`;
    const above = target.op === '>=' ? rel >= 0 : rel <= 0;
    return above ? `${pct} better than required` : `${pct} short`;
  }
  const diff = actual - thr;
  const unit = target.workload.endsWith('-us')
    ? ' µs'
    : target.workload === 'bytes-per-conn'
      ? ' bytes'
      : 'x';
  return diff <= 0
    ? `${fmt(-diff)}${unit} under the limit`
    : `${fmt(diff)}${unit} over the limit (${((actual / thr - 1) * 100).toFixed(0)}%)`;
}

function fmt(n: number): string {
  return Number.isInteger(n) || n >= 100 ? n.toFixed(0) : n.toFixed(1);
}
