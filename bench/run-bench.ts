// npm run bench [-- --quick]: uvs against the kernel's NAT path and HAProxy, on one topology
// of network namespaces (bench-maquette.ts), the paths in alternation, best of the rounds;
// writes bench/results/latest.json, bench/results/latest.svg and bench/RESULTS.md.
// Every load is bounded in time and count; every namespace and process it creates is removed
// at the end, on an error and on SIGINT/SIGTERM.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Lab, REPO_ROOT } from '../src/lab/lab.js';
import { BENCH_HOSTS, BENCH_MAQUETTE } from './bench-maquette.js';
import { machineInfo } from './machine.js';
import { Offloads, vethsOf } from './offload-profile.js';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { summaryLines, writeOutputs } from './outputs.js';
import { haproxyPath } from './paths/haproxy.js';
import { kernelHasIpvs, kernelPath } from './paths/kernel.js';
import type { BenchPath, PathEnv } from './paths/path.js';
import { routingPath } from './paths/routing.js';
import { uvsPath } from './paths/uvs.js';
import { durations, runEstimateS, type Durations } from './plan.js';
import { Progress } from './progress.js';
import { aggregate, type PathId, type Sample } from './report/result.js';
import { gcText, type UvsdProfileReport } from './report/profile-section.js';
import type { MachineInfo } from './report/results-md.js';
import { checkTargets } from './report/targets.js';
import { runRounds, type RunnerEnv } from './runner.js';
import { startServers } from './servers.js';
import { detectIo, readVariants, type MemoryHooks, type UvsVariant } from './variants.js';
import { measureMemory } from './workloads/memory.js';
import { PROFILE_SECONDS, profileUvsd } from './workloads/uvsd-profile.js';

const TOOLS = ['wrk', 'haproxy', 'nginx', 'nft', 'ethtool', 'curl', 'ip'];
const MEMORY_ESTIMATE_S = 8;
const PROFILE_ESTIMATE_S = PROFILE_SECONDS + 10;
const LOOKUP_ESTIMATE_S = 60;

function fail(msg: string, code = 1): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(code);
}

function options(): BenchOptions {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  try {
    return parseBenchOptions(argv);
  } catch (err) {
    return fail(`${(err as Error).message}\n${USAGE.split('\n')[0]}`, 2);
  }
}

function preflight(): void {
  if (process.getuid?.() !== 0) fail('run as root: the bench builds network namespaces');
  const absent = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (absent.length > 0)
    fail(
      `not installed: ${absent.join(', ')} (apt-get install wrk haproxy nginx-light nftables ethtool curl)`,
    );
}

/** What this run does, decided before anything is built. */
interface Plan {
  readonly opts: BenchOptions;
  readonly variantsFile: string;
  readonly variants: readonly UvsVariant[];
  readonly memory: MemoryHooks;
  readonly ipvs: boolean;
  readonly paths: readonly BenchPath[];
  readonly d: Durations;
  readonly engine: { readonly run: boolean; readonly lookup: boolean };
  readonly estimateS: number;
}

function plan(opts: BenchOptions): Plan {
  const variantsFile = opts.variantsFile ?? join(REPO_ROOT, 'bench', 'variants.json');
  const sets = readVariants(variantsFile);
  const variants = sets[opts.quick ? 'quick' : 'full'];
  const ipvs = kernelHasIpvs();
  const want = (p: string): boolean => (opts.parts as readonly string[]).includes(p);
  const paths: BenchPath[] = [];
  if (want('routing')) paths.push(routingPath);
  if (want('kernel')) paths.push(kernelPath(ipvs));
  if (want('haproxy')) paths.push(haproxyPath());
  for (const v of variants)
    for (const m of v.modes) if (want(`uvs-${m}`)) paths.push(uvsPath(m, v));
  const d = durations(opts.quick, opts.rounds, opts.seconds);
  // The 1 M-connection engine run takes a minute and 2 GB: full runs only.
  const engine = { run: want('engine'), lookup: want('engine') && !opts.quick };
  const estimateS =
    runEstimateS(paths, d, engine.run, false, want('memory') ? MEMORY_ESTIMATE_S : 0) +
    (engine.lookup ? LOOKUP_ESTIMATE_S : 0) +
    (want('profile') ? PROFILE_ESTIMATE_S : 0);
  return { opts, variantsFile, variants, memory: sets.memory, ipvs, paths, d, engine, estimateS };
}

/** A path's id for reporting when it never started (uvs: what its arguments ask for). */
function idBeforeStart(p: BenchPath, variants: readonly UvsVariant[]): PathId {
  const v = variants.find((x) => p.label.endsWith(`[${x.name}]`));
  if (!v) return { path: p.name, io: null, workers: null };
  const { io, workers } = detectIo('', v.args);
  return { path: p.name, io: io ?? v.name, workers };
}

/** uvsd under --cpu-prof and --trace-gc; a failure is reported and the run goes on. */
async function runProfile(
  env: PathEnv,
  variant: UvsVariant,
  progress: Progress,
  samples: Sample[],
): Promise<UvsdProfileReport | undefined> {
  progress.start(
    `uvsd (uvs-nat [${variant.name}]) under --cpu-prof --trace-gc, ${PROFILE_SECONDS} s of keepalive-rps`,
    PROFILE_ESTIMATE_S,
  );
  try {
    const p = await profileUvsd(env, variant);
    const gcs = p.gc.scavenges + p.gc.fullGcs;
    samples.push({ ...p.id, workload: 'gc-10s', round: 1, value: gcs, note: gcText(p.gc) });
    progress.finish(`${gcText(p.gc)}; busy ${(p.cpu.busy * 100).toFixed(0)}%`);
    return p;
  } catch (err) {
    const why = (err as Error).message.split('\n')[0]!;
    progress.finish(`not available: ${why}`);
    const { io, workers } = detectIo('', variant.args);
    const id = { path: 'uvs-nat', io: io ?? variant.name, workers };
    samples.push({ ...id, workload: 'gc-10s', round: 1, value: null, note: why });
    return undefined;
  }
}

async function runMemory(
  env: PathEnv,
  variant: UvsVariant,
  hooks: MemoryHooks,
  progress: Progress,
): Promise<Sample> {
  progress.start('memory per connection (uvsd with a 1 M table)', MEMORY_ESTIMATE_S);
  const s = await measureMemory(env, variant, hooks);
  progress.finish(
    s.value === null
      ? `not available: ${s.note ?? ''}`
      : `${s.value.toFixed(0)} bytes (${s.note ?? ''})`,
  );
  return s;
}

interface Measured {
  readonly samples: Sample[];
  readonly offloadDefaults: string;
  readonly profile: UvsdProfileReport | undefined;
}

/** Builds the topology, runs every part of the plan, and always removes what it built. */
async function measureAll(p: Plan, progress: Progress): Promise<Measured> {
  const lab = new Lab(BENCH_MAQUETTE, `uvb${process.pid.toString(36)}`, {
    progress: p.opts.verbose ? (m) => progress.log(`  ${m}`) : () => {},
  });
  const workDir = mkdtempSync(join(tmpdir(), 'uvsbench-'));
  chmodSync(workDir, 0o755); // nginx's workers (www-data) read the pages there
  let cleaned = false;
  const cleanup = (): void => {
    if (cleaned) return;
    cleaned = true;
    lab.destroy();
    rmSync(workDir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      progress.log(`bench: ${sig}: removing the namespaces`);
      cleanup();
      process.exit(130);
    });
  try {
    progress.start('building the topology and starting nginx and echo servers', 10);
    lab.build();
    const namespaces = [lab.topo.switchNs, ...BENCH_HOSTS.map((h) => lab.ns(h))];
    const offloads = Offloads.probe(lab.topo.switchNs, vethsOf(namespaces));
    startServers(lab, workDir);
    progress.finish('done');
    const env: RunnerEnv = {
      lab,
      offloads,
      workDir,
      log: (m) => progress.log(m),
      progress,
      durations: p.d,
      workloads: p.opts.workloads,
    };
    const samples = await runRounds(p.paths, env, (x) => idBeforeStart(x, p.variants), p.engine);
    const first = p.variants[0]!;
    const profile = p.opts.parts.includes('profile')
      ? await runProfile(env, first, progress, samples)
      : undefined;
    if (p.opts.parts.includes('memory'))
      samples.push(await runMemory(env, first, p.memory, progress));
    return { samples, offloadDefaults: offloads.defaults, profile };
  } finally {
    cleanup();
  }
}

function runNotes(p: Plan): string[] {
  const file = relative(REPO_ROOT, p.variantsFile);
  const variants = p.variants.map(
    (v) => `${v.name} = uvsd ${v.args.join(' ') || '(no arguments)'}`,
  );
  return [
    p.ipvs
      ? 'The kernel path is ip_vs, driven by the real ipvsadm (kernel-ipvs).'
      : 'This kernel has no ip_vs (no /proc/net/ip_vs; modprobe ip_vs failed or is absent): ' +
        'the kernel path is nftables DNAT with numgen and conntrack (kernel-nat).',
    `uvs variants (${file}): ${variants.join('; ')}.`,
    ...(p.engine.run && !p.engine.lookup
      ? [
          'lookup-cost-1m-vs-1k (engine-micro with 1 M connections: a minute, 2 GB) is left out of --quick.',
        ]
      : []),
  ];
}

function report(
  p: Plan,
  m: Measured,
  machine: MachineInfo,
  started: Date,
  progress: Progress,
): void {
  const results = aggregate(m.samples);
  const checks = checkTargets(results);
  const args = process.argv.slice(2);
  const files = writeOutputs(
    p.opts.outDir ?? join(REPO_ROOT, 'bench'),
    {
      date: started.toISOString(),
      command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
      mode: p.opts.quick ? 'quick' : 'full',
      rounds: p.d.rounds,
      seconds: p.d.wrkS,
      elapsedS: progress.elapsedS(),
      machine,
      offloadDefaults: m.offloadDefaults,
      notes: runNotes(p),
      ...(m.profile ? { profile: m.profile } : {}),
    },
    results,
    checks,
  );
  for (const l of summaryLines(results, checks)) console.log(l);
  console.log(`wrote ${files.join(', ')}`);
}

async function main(): Promise<void> {
  const opts = options();
  preflight();
  const machine = machineInfo();
  const started = new Date();
  const p = plan(opts);
  const progress = new Progress(p.estimateS);
  progress.log(
    `bench: ${opts.quick ? 'quick' : 'full'} run, ${p.d.rounds} round${p.d.rounds === 1 ? '' : 's'}, ` +
      `${p.paths.length} paths, estimated ${Math.round(p.estimateS / 60)} min; ` +
      `load now ${machine.loadAtStart[0]?.toFixed(2)} on ${machine.cores} cores`,
  );
  const measured = await measureAll(p, progress);
  report(p, measured, machine, started, progress);
}

main().catch((err: Error) => fail(err.stack ?? err.message));
