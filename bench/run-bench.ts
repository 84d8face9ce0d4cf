// npm run bench [-- --quick]: uvs against the kernel's NAT path and HAProxy, on one topology
// of network namespaces (bench-maquette.ts), the paths in alternation, best of the rounds;
// writes bench/results/latest.json, bench/results/latest.svg and bench/RESULTS.md.
// Every load is bounded in time and count; every namespace and process it creates is removed
// at the end, on an error and on SIGINT/SIGTERM.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, REPO_ROOT } from '../src/lab/lab.js';
import { BENCH_MAQUETTE, BENCH_HOSTS } from './bench-maquette.js';
import { machineInfo } from './machine.js';
import { Offloads, vethsOf } from './offload-profile.js';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { summaryLines, writeOutputs } from './outputs.js';
import { haproxyPath } from './paths/haproxy.js';
import { kernelHasIpvs, kernelPath } from './paths/kernel.js';
import type { BenchPath } from './paths/path.js';
import { routingPath } from './paths/routing.js';
import { uvsPath } from './paths/uvs.js';
import { durations, runEstimateS } from './plan.js';
import { Progress } from './progress.js';
import { aggregate, type PathId, type Sample } from './report/result.js';
import { checkTargets } from './report/targets.js';
import { runRounds } from './runner.js';
import { startServers } from './servers.js';
import { detectIo, readVariants, type UvsVariant } from './variants.js';
import { measureMemory } from './workloads/memory.js';

const TOOLS = ['wrk', 'haproxy', 'nginx', 'nft', 'ethtool', 'curl', 'ip'];
const MEMORY_ESTIMATE_S = 8;

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

/** The paths of this run, in the order of a round. */
function choosePaths(
  opts: BenchOptions,
  variants: readonly UvsVariant[],
  ipvs: boolean,
): BenchPath[] {
  const want = (p: string): boolean => (opts.parts as readonly string[]).includes(p);
  const paths: BenchPath[] = [];
  if (want('routing')) paths.push(routingPath);
  if (want('kernel')) paths.push(kernelPath(ipvs));
  if (want('haproxy')) paths.push(haproxyPath());
  for (const v of variants)
    for (const m of v.modes) if (want(`uvs-${m}`)) paths.push(uvsPath(m, v));
  return paths;
}

async function main(): Promise<void> {
  const opts = options();
  preflight();
  const machine = machineInfo();
  const started = new Date();
  const variantsFile = opts.variantsFile ?? join(REPO_ROOT, 'bench', 'variants.json');
  const variants = readVariants(variantsFile)[opts.quick ? 'quick' : 'full'];
  const ipvs = kernelHasIpvs();
  const paths = choosePaths(opts, variants, ipvs);
  const d = durations(opts.quick, opts.rounds, opts.seconds);
  const engine = {
    run: opts.parts.includes('engine'),
    lookup: opts.parts.includes('engine') && !opts.quick,
  };
  const memory = opts.parts.includes('memory');
  const estimate =
    runEstimateS(paths, d, engine.run, false, memory ? MEMORY_ESTIMATE_S : 0) +
    (engine.lookup ? 60 : 0);
  const progress = new Progress(estimate);
  progress.log(
    `bench: ${opts.quick ? 'quick' : 'full'} run, ${d.rounds} round${d.rounds === 1 ? '' : 's'}, ${paths.length} paths, ` +
      `estimated ${Math.round(estimate / 60)} min; load now ${machine.loadAtStart[0]?.toFixed(2)} on ${machine.cores} cores`,
  );

  const lab = new Lab(BENCH_MAQUETTE, `uvb${process.pid.toString(36)}`, {
    progress: opts.verbose ? (m) => progress.log(`  ${m}`) : () => {},
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

  let samples: Sample[];
  let offloadDefaults: string;
  try {
    progress.start('building the topology and starting nginx and echo servers', 10);
    lab.build();
    const namespaces = [lab.topo.switchNs, ...BENCH_HOSTS.map((h) => lab.ns(h))];
    const offloads = Offloads.probe(lab.topo.switchNs, vethsOf(namespaces));
    offloadDefaults = offloads.defaults;
    startServers(lab, workDir);
    progress.finish('done');
    const env = {
      lab,
      offloads,
      workDir,
      log: (m: string) => progress.log(m),
      progress,
      durations: d,
      workloads: opts.workloads,
    };
    const idBeforeStart = (p: BenchPath): PathId => {
      const v = variants.find((x) => p.label.endsWith(`[${x.name}]`));
      if (!v) return { path: p.name, io: null, workers: null };
      const { io, workers } = detectIo('', v.args);
      return { path: p.name, io: io ?? v.name, workers };
    };
    samples = await runRounds(paths, env, idBeforeStart, engine);
    if (memory) {
      progress.start('memory per connection (uvsd with a 1 M table)', MEMORY_ESTIMATE_S);
      const s = await measureMemory(env, variants[0]!);
      progress.finish(
        s.value === null
          ? `not available: ${s.note ?? ''}`
          : `${s.value.toFixed(0)} bytes (${s.note ?? ''})`,
      );
      samples.push(s);
    }
  } finally {
    cleanup();
  }

  const results = aggregate(samples);
  const checks = checkTargets(results);
  const notes = [
    ipvs
      ? 'The kernel path is ip_vs, driven by the real ipvsadm (kernel-ipvs).'
      : 'This kernel has no ip_vs (no /proc/net/ip_vs, modprobe ip_vs failed or absent): the kernel path is nftables DNAT with numgen and conntrack (kernel-nat).',
    `uvs variants (${variantsFile}): ${variants.map((v) => `${v.name} = uvsd ${v.args.join(' ') || '(no arguments)'}`).join('; ')}.`,
    ...(engine.run && !engine.lookup
      ? [
          'The 1 M-connection engine run (lookup-cost-1m-vs-1k) is left out of --quick: it takes about a minute and 2 GB.',
        ]
      : []),
  ];
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const files = writeOutputs(
    opts.outDir ?? join(REPO_ROOT, 'bench'),
    {
      date: started.toISOString(),
      command,
      mode: opts.quick ? 'quick' : 'full',
      rounds: d.rounds,
      seconds: d.wrkS,
      elapsedS: progress.elapsedS(),
      machine,
      offloadDefaults,
      notes,
    },
    results,
    checks,
  );
  for (const l of summaryLines(results, checks)) console.log(l);
  console.log(`wrote ${files.join(', ')}`);
}

main().catch((err: Error) => fail(err.stack ?? err.message));
