// Where a run's results go: results/latest.json, results/latest.svg and RESULTS.md under the
// output directory, and a short summary for the terminal.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kernelPath, pathLabel, ratioTo, type BenchResult } from './report/result.js';
import { renderResultsMd, type RunInfo } from './report/results-md.js';
import { formatValue, renderSvg } from './report/svg-chart.js';
import type { TargetCheck } from './report/targets.js';
import { inWorkloadOrder, workloadSpec } from './report/workloads.js';

export function writeOutputs(
  outDir: string,
  run: RunInfo,
  results: readonly BenchResult[],
  checks: readonly TargetCheck[],
): string[] {
  mkdirSync(join(outDir, 'results'), { recursive: true });
  const files = {
    json: join(outDir, 'results', 'latest.json'),
    svg: join(outDir, 'results', 'latest.svg'),
    md: join(outDir, 'RESULTS.md'),
  };
  writeFileSync(files.json, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(files.svg, renderSvg(results, `uvs bench, ${run.mode} run of ${run.date}`));
  writeFileSync(files.md, renderResultsMd(run, results, checks));
  return Object.values(files);
}

/** A few lines for the terminal: each workload's figures with ratios, then the targets. */
export function summaryLines(
  results: readonly BenchResult[],
  checks: readonly TargetCheck[],
): string[] {
  const kernel = kernelPath(results);
  const lines = [`summary (best of the rounds; ratios to ${kernel} and haproxy):`];
  for (const w of inWorkloadOrder(results.map((r) => r.workload))) {
    if (w === 'latency-p99-us') continue;
    const spec = workloadSpec(w);
    const cells = results
      .filter((r) => r.workload === w)
      .map((r) => {
        if (r.value === null) return `${pathLabel(r)} n/a`;
        const ratios =
          r.path.startsWith('uvs-') && spec.better === 'higher'
            ? [ratioTo(results, r, kernel), ratioTo(results, r, 'haproxy')]
                .map((x) => (x === null ? '—' : `${x.toFixed(2)}x`))
                .join('/')
            : '';
        return `${pathLabel(r)} ${formatValue(r.value)}${ratios ? ` (${ratios})` : ''}`;
      });
    lines.push(`  ${w} [${spec.unit}]: ${cells.join(' | ')}`);
  }
  const met = checks.filter((c) => c.met === true).length;
  const missed = checks.filter((c) => c.met === false);
  lines.push(
    `targets: ${met} met, ${missed.length} missed, ${checks.length - met - missed.length} not measured`,
    ...missed.map((c) => `  missed: ${c.target.text} on ${c.subject}: ${c.margin}`),
  );
  return lines;
}
