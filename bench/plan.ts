// What a run does and how long it should take (pure): durations per workload for --quick and
// the full run, and the time estimate the progress line starts from.
import type { PathWorkload } from './report/workloads.js';

export interface Durations {
  readonly rounds: number;
  /** wrk's -d. */
  readonly wrkS: number;
  /** udp-pps sending time and latency-us ping time. */
  readonly shortS: number;
  readonly engineS: number;
}

export function durations(quick: boolean, rounds?: number, seconds?: number): Durations {
  const wrkS = seconds ?? (quick ? 3 : 10);
  return {
    rounds: rounds ?? (quick ? 2 : 3),
    wrkS,
    shortS: Math.max(1, Math.round(wrkS / 2)),
    engineS: quick ? 2 : 3,
  };
}

/** Seconds one workload takes, its start-up and reading included. */
export function workloadEstimateS(w: PathWorkload, d: Durations): number {
  switch (w) {
    case 'keepalive-rps':
    case 'new-conn-rps':
    case 'bulk-MBps':
      return d.wrkS + 0.8;
    case 'udp-pps':
      return d.shortS + 1.5;
    case 'latency-us':
      return d.shortS + 0.8;
  }
}

/** A path's check and warm-up before its workloads. */
export const WARMUP_S = 1.5;

export interface PlannedPath {
  readonly setupEstimateS: number;
  readonly workloads: readonly PathWorkload[];
}

export function pathEstimateS(p: PlannedPath, d: Durations): number {
  return p.setupEstimateS + WARMUP_S + p.workloads.reduce((a, w) => a + workloadEstimateS(w, d), 0);
}

export function engineEstimateS(d: Durations, lookup: boolean): number {
  return d.engineS + 2 + (lookup ? 2 * d.engineS + 25 : 0);
}

export function runEstimateS(
  paths: readonly PlannedPath[],
  d: Durations,
  engine: boolean,
  lookup: boolean,
  memoryS: number,
): number {
  const round =
    paths.reduce((a, p) => a + pathEstimateS(p, d), 0) + (engine ? engineEstimateS(d, lookup) : 0);
  return 10 + d.rounds * round + memoryS;
}
