// A path between the client and the servers, set up for a round and torn down after it.
import type { Lab } from '../../src/lab/lab.js';
import type { Offloads } from '../offload-profile.js';
import type { PathId } from '../report/result.js';
import type { PathWorkload } from '../report/workloads.js';

export interface PathEnv {
  readonly lab: Lab;
  readonly offloads: Offloads;
  /** A private directory for configuration files. */
  readonly workDir: string;
  readonly log: (msg: string) => void;
}

/** A path once set up: what it is (uvs reports its io and workers) and where to send load. */
export interface PathRun {
  readonly id: PathId;
  /** The address the client's load goes to (a VIP, or the server itself for routing). */
  readonly target: string;
}

export interface BenchPath {
  readonly name: string;
  /** For progress lines before set-up ("uvs-nat [pcap]"). */
  readonly label: string;
  readonly workloads: readonly PathWorkload[];
  /** Seconds its set-up and tear-down take, for the time estimate. */
  readonly setupEstimateS: number;
  /** Throws PathUnavailable when this machine or this uvsd cannot run it. */
  setUp(env: PathEnv): Promise<PathRun>;
  tearDown(env: PathEnv): Promise<void>;
}

/** The path cannot run here (no ip_vs, uvsd refuses a flag…): reported, not fatal. */
export class PathUnavailable extends Error {
  readonly code = 'E_PATH_UNAVAILABLE';
}
