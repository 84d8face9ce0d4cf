// The rounds: every path set up in turn (the order reversed every other round, so that drift
// over the run does not favour one path), checked, warmed up, loaded with each workload, torn
// down; then the engine alone. A path that cannot run is reported, and the run goes on.
import { checkAndWarm } from './check-path.js';
import { PathUnavailable, type BenchPath, type PathEnv, type PathRun } from './paths/path.js';
import {
  WARMUP_S,
  workloadEstimateS,
  engineEstimateS,
  pathEstimateS,
  type Durations,
} from './plan.js';
import type { Progress } from './progress.js';
import type { PathId, Sample } from './report/result.js';
import { formatValue } from './report/svg-chart.js';
import { workloadSpec, type PathWorkload } from './report/workloads.js';
import { engineSamples } from './workloads/engine.js';
import { runLatency } from './workloads/latency.js';
import { runUdp } from './workloads/udp.js';
import { runWrk, type Measured } from './workloads/wrk.js';

export interface RunnerEnv extends PathEnv {
  readonly progress: Progress;
  readonly durations: Durations;
  readonly workloads: readonly PathWorkload[];
}

/** A path's id for reporting when it never started (uvs: what its arguments ask for). */
export type IdBeforeStart = (p: BenchPath) => PathId;

export async function runRounds(
  paths: readonly BenchPath[],
  env: RunnerEnv,
  idBeforeStart: IdBeforeStart,
  engine: { run: boolean; lookup: boolean },
): Promise<Sample[]> {
  const samples: Sample[] = [];
  /** Paths whose set-up failed (uvsd refused a flag…): not tried again in later rounds. */
  const refused = new Map<BenchPath, string>();
  const d = env.durations;
  for (let round = 1; round <= d.rounds; round++) {
    const order = round % 2 === 1 ? paths : [...paths].reverse();
    for (const path of order) {
      const workloads = path.workloads.filter((w) => env.workloads.includes(w));
      const why = refused.get(path);
      if (why === undefined) {
        samples.push(...(await pathRound(env, path, workloads, round, idBeforeStart, refused)));
        continue;
      }
      env.progress.skip(pathEstimateS({ ...path, workloads }, d));
      samples.push(...workloads.map((w) => missing(idBeforeStart(path), w, round, why)));
    }
    // The 1 M-connection run takes a minute: once, in the last round.
    if (engine.run)
      samples.push(...(await engineRound(env, round, engine.lookup && round === d.rounds)));
  }
  return samples;
}

/** One path in one round: set up, check and warm up, every workload, torn down. */
async function pathRound(
  env: RunnerEnv,
  path: BenchPath,
  workloads: readonly PathWorkload[],
  round: number,
  idBeforeStart: IdBeforeStart,
  refused: Map<BenchPath, string>,
): Promise<Sample[]> {
  const d = env.durations;
  const at = `round ${round}/${d.rounds} · ${path.label}`;
  env.progress.start(`${at} · set-up, check, warm-up`, path.setupEstimateS + WARMUP_S);
  const t0 = Date.now();
  let stage = 'set-up';
  let run: PathRun;
  let setupS: number;
  try {
    run = await path.setUp(env);
    setupS = (Date.now() - t0) / 1000;
    stage = 'check';
    await checkAndWarm(env, run.target);
  } catch (err) {
    await path.tearDown(env);
    if (!(err instanceof PathUnavailable)) throw err;
    // A set-up refused stays refused; a check that failed is tried again next round.
    if (stage === 'set-up') refused.set(path, err.message);
    env.progress.finish(`not available: ${err.message}`);
    env.progress.skip(workloads.reduce((a, w) => a + workloadEstimateS(w, d), 0));
    return workloads.map((w) => missing(idBeforeStart(path), w, round, err.message));
  }
  const checkS = (Date.now() - t0) / 1000 - setupS;
  env.progress.finish(
    `ready (set-up ${setupS.toFixed(1)} s, check and warm-up ${checkS.toFixed(1)} s)`,
  );
  const samples: Sample[] = [];
  try {
    for (const w of workloads) samples.push(...(await measure(env, run, w, round, at)));
  } finally {
    await path.tearDown(env);
  }
  return samples;
}

function missing(id: PathId, workload: string, round: number, why: string): Sample {
  return { ...id, workload, round, value: null, note: why };
}

async function measure(
  env: RunnerEnv,
  run: PathRun,
  w: PathWorkload,
  round: number,
  at: string,
): Promise<Sample[]> {
  const d = env.durations;
  const spec = workloadSpec(w);
  env.progress.start(`${at} · ${w}`, workloadEstimateS(w, d));
  const sample = (workload: string, m: Measured | null, note?: string): Sample => ({
    ...run.id,
    workload,
    round,
    value: m?.value ?? null,
    ...((m?.note ?? note) !== undefined ? { note: (m?.note ?? note)! } : {}),
  });
  try {
    if (w === 'latency-us') {
      const l = await runLatency(env.lab, run.target, d.shortS);
      env.progress.finish(
        `median ${l.medianUs.toFixed(0)} µs, p99 ${l.p99Us.toFixed(0)} µs (${l.count} round trips)`,
      );
      return [sample(w, { value: l.medianUs }), sample('latency-p99-us', { value: l.p99Us })];
    }
    const m =
      w === 'udp-pps'
        ? await runUdp(env.lab, run.target, d.shortS)
        : await runWrk(env.lab, w, run.target, d.wrkS);
    env.progress.finish(`${formatValue(m.value)} ${spec.unit}${m.note ? ` (${m.note})` : ''}`);
    return [sample(w, m)];
  } catch (err) {
    const why = (err as Error).message.split('\n')[0]!;
    env.progress.finish(`failed: ${why}`);
    return [sample(w, null, `failed: ${why}`)];
  }
}

async function engineRound(env: RunnerEnv, round: number, lookup: boolean): Promise<Sample[]> {
  const d = env.durations;
  env.progress.start(
    `round ${round}/${d.rounds} · engine alone (engine-micro)`,
    engineEstimateS(d, lookup),
  );
  const r = await engineSamples(d.engineS, round, lookup);
  env.progress.finish(r.text);
  return r.samples;
}
