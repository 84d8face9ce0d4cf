// bench/RESULTS.md from a run's results (pure): the machine and the command first, then the
// targets of issue 9 met or missed, then one table per workload with ratios to the kernel's
// path and to HAProxy, then what was not available and why.
import { formatValue } from './svg-chart.js';
import { kernelPath, pathLabel, ratioTo, type BenchResult } from './result.js';
import { profileSection, type UvsdProfileReport } from './profile-section.js';
import type { TargetCheck } from './targets.js';
import { inWorkloadOrder, workloadSpec } from './workloads.js';

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly kernel: string;
  readonly node: string;
  /** 1, 5 and 15-minute load averages when the run started. */
  readonly loadAtStart: readonly number[];
  readonly memoryGiB: number;
  /** "wrk 4.1.0", "HAProxy 2.6.12"… */
  readonly tools: readonly string[];
}

export interface RunInfo {
  readonly date: string;
  readonly command: string;
  readonly mode: 'quick' | 'full';
  readonly rounds: number;
  readonly seconds: number;
  readonly elapsedS: number;
  readonly machine: MachineInfo;
  /** Offloads of the veths for the kernel's paths and HAProxy (ethtool -K arguments). */
  readonly offloadDefaults: string;
  /** Facts of this run worth a line (kernel path chosen, variants uvsd refused…). */
  readonly notes: readonly string[];
  /** uvsd under the CPU profiler and --trace-gc, when that part ran. */
  readonly profile?: UvsdProfileReport;
}

export function renderResultsMd(
  run: RunInfo,
  results: readonly BenchResult[],
  checks: readonly TargetCheck[],
): string {
  return [
    ...header(run),
    ...targetSection(checks),
    ...figureSection(results),
    ...profileSection(run.profile),
    ...unavailableSection(results),
    ...methodSection(run),
  ].join('\n');
}

function header(run: RunInfo): string[] {
  const m = run.machine;
  const busy = (m.loadAtStart[0] ?? 0) > m.cores * 0.25;
  return [
    '# uvs benchmark results',
    '',
    `Made by \`${run.command}\` on ${run.date} (${run.mode}: best of ${run.rounds} rounds, ` +
      `${run.seconds} s per load, ${Math.round(run.elapsedS)} s in all).`,
    '',
    ...(busy
      ? [
          `> **The machine was not idle** (load ${m.loadAtStart[0]?.toFixed(2)} on ${m.cores} cores at ` +
            'the start): these figures compare paths with each other in one run, but their ' +
            'absolute values are not meaningful. Run the bench on an idle machine.',
          '',
        ]
      : []),
    '| machine | |',
    '|---|---|',
    `| cores | ${m.cores} × ${m.cpuModel} |`,
    `| memory | ${m.memoryGiB.toFixed(1)} GiB |`,
    `| kernel | ${m.kernel} |`,
    `| Node.js | ${m.node} |`,
    `| load at start | ${m.loadAtStart.map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min) |`,
    `| tools | ${m.tools.join(', ')} |`,
    '',
    '![results chart](results/latest.svg)',
    '',
  ];
}

function targetSection(checks: readonly TargetCheck[]): string[] {
  const met = checks.filter((c) => c.met === true).length;
  const missed = checks.filter((c) => c.met === false).length;
  return [
    '## Targets (issue 9)',
    '',
    `${met} met, ${missed} missed, ${checks.length - met - missed} not measured.`,
    '',
    '| target | on | measured | verdict | by how much |',
    '|---|---|---:|---|---|',
    ...checks.map((c) => {
      const measured =
        c.actual === null
          ? '—'
          : c.target.against === 'value'
            ? `${formatValue(c.actual)} ${workloadSpec(c.target.workload).unit}`
            : `${c.actual.toFixed(2)}x ${c.target.against === 'kernel' ? 'kernel' : 'haproxy'}`;
      const verdict = c.met === null ? 'not measured' : c.met ? '**met**' : '**missed**';
      return `| ${c.target.text} | ${c.subject} | ${measured} | ${verdict} | ${c.margin} |`;
    }),
    '',
  ];
}

function figureSection(results: readonly BenchResult[]): string[] {
  const kernel = kernelPath(results);
  const out = [
    '## Figures',
    '',
    `Ratios are to \`${kernel}\` and to \`haproxy\` (same workload).`,
    '',
  ];
  for (const w of inWorkloadOrder(results.map((r) => r.workload))) {
    const spec = workloadSpec(w);
    const rows = results.filter((r) => r.workload === w);
    const withRatios = rows.some((r) => r.path !== 'engine') && spec.better === 'higher';
    out.push(`### ${w}: ${spec.title}`, '');
    out.push(
      withRatios
        ? `| path | ${spec.unit} | × ${kernel} | × haproxy | rounds |`
        : `| path | ${spec.unit} | rounds |`,
      withRatios ? '|---|---:|---:|---:|---|' : '|---|---:|---|',
    );
    for (const r of rows) {
      const value = r.value === null ? 'n/a' : formatValue(r.value);
      const rounds = r.rounds.map((v) => (v === null ? '—' : formatValue(v))).join(', ');
      if (withRatios) {
        const rk = ratioTo(results, r, kernel);
        const rh = ratioTo(results, r, 'haproxy');
        out.push(
          `| ${pathLabel(r)} | ${value} | ${rk === null ? '—' : rk.toFixed(2)} | ${rh === null ? '—' : rh.toFixed(2)} | ${rounds} |`,
        );
      } else out.push(`| ${pathLabel(r)} | ${value} | ${rounds} |`);
    }
    out.push('');
  }
  return out;
}

function unavailableSection(results: readonly BenchResult[]): string[] {
  const notes = results.filter((r) => r.note !== undefined);
  if (notes.length === 0) return [];
  return [
    '## Not available, and notes',
    '',
    ...notes.map(
      (r) =>
        `- ${pathLabel(r)} ${r.workload}: ${r.value === null ? 'not available: ' : ''}${r.note}`,
    ),
    '',
  ];
}

function methodSection(run: RunInfo): string[] {
  return [
    '## How it was measured',
    '',
    ...run.notes.map((n) => `- ${n}`),
    `- Offloads: the kernel's paths and HAProxy run with the veth defaults (\`ethtool -K ${run.offloadDefaults}\`); ` +
      'uvsd with `--io pcap` needs them off on its peers (partial checksums and TSO super-frames cannot cross libpcap), ' +
      'so its runs turn them off as src/lab does; uvsd sets its own interfaces.',
    '- See bench/README.md for what each path and workload does exactly.',
    '',
  ];
}
