// npm run bench's options (pure): what to run, for how long, where to write.
import { parseBenchArgs } from './bench-args.js';
import { PATH_WORKLOADS } from './report/workloads.js';

export const USAGE = `usage: npm run bench [-- --quick] [-- options]

Measures uvs against the kernel's NAT path and HAProxy on one topology of network namespaces,
the paths in alternation, best of the rounds. Run as root, on an idle machine.

  --quick            2 rounds, 3 s loads, the quick variants (under 8 minutes)
  --rounds N         rounds (default 2 quick, 3 full)
  --seconds N        wrk's duration; UDP and latency loads take half (default 3 quick, 10 full)
  --only LIST        comma-separated parts to run: routing, kernel, haproxy, uvs-nat, uvs-dr,
                     uvs-tun, engine, profile (uvsd under the CPU profiler and
                     --trace-gc), memory (default: all)
  --workloads LIST   comma-separated: ${PATH_WORKLOADS.join(', ')} (default: all)
  --variants FILE    uvsd variants (default bench/variants.json)
  --out DIR          where RESULTS.md and results/latest.{json,svg} go (default bench/)
  --verbose          show how the topology is built
  --help             this text

Writes DIR/results/latest.json, DIR/results/latest.svg and DIR/RESULTS.md.`;

export const PARTS = [
  'routing',
  'kernel',
  'haproxy',
  'uvs-nat',
  'uvs-dr',
  'uvs-tun',
  'engine',
  'profile',
  'memory',
] as const;
export type Part = (typeof PARTS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  readonly rounds: number | undefined;
  readonly seconds: number | undefined;
  readonly parts: readonly Part[];
  readonly workloads: readonly (typeof PATH_WORKLOADS)[number][];
  readonly variantsFile: string | undefined;
  readonly outDir: string | undefined;
  readonly verbose: boolean;
}

function list<T extends string>(raw: string, allowed: readonly T[], flag: string): T[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const i of items)
    if (!allowed.includes(i as T))
      throw new Error(`${flag}: unknown "${i}" (expected ${allowed.join(', ')})`);
  return items as T[];
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const a = parseBenchArgs(
    argv,
    ['--rounds', '--seconds', '--only', '--workloads', '--variants', '--out'],
    ['--quick', '--verbose'],
  );
  const has = (flag: string): boolean => argv.includes(flag);
  return {
    quick: a.flag('--quick'),
    rounds: has('--rounds') ? a.number('--rounds', 0, 1, 20) : undefined,
    seconds: has('--seconds') ? a.number('--seconds', 0, 1, 600) : undefined,
    parts: has('--only') ? list(a.string('--only', ''), PARTS, '--only') : PARTS,
    workloads: has('--workloads')
      ? list(a.string('--workloads', ''), PATH_WORKLOADS, '--workloads')
      : PATH_WORKLOADS,
    variantsFile: has('--variants') ? a.string('--variants', '') : undefined,
    outDir: has('--out') ? a.string('--out', '') : undefined,
    verbose: a.flag('--verbose'),
  };
}
