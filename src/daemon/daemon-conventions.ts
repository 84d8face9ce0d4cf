// keepalived's daemon conventions in uvsd (issue 11), in the order uvsd meets them:
// -v and -t answer and exit before anything is touched; then the namespace is claimed (no
// inspector, the one-per-namespace lock, the pid file) before the capture, the guard, the tap
// or the socket exist; once the director runs, SIGUSR1/SIGUSR2 write its state and counters.
import { dirname, join } from 'node:path';
import type { DirectorControl } from '../control/director-control.js';
import { versionLine } from '../control/version.js';
import { configTest } from './config-test.js';
import { InstanceLock } from './instance-lock.js';
import type { Log } from './log.js';
import { KEEPALIVED_CONF, type DaemonOptions } from './options.js';
import { PidFile } from './pidfile.js';
import { netnsKey } from './runtime-paths.js';
import { inspectorRefusal, onDaemonSignal } from './signals.js';
import {
  formatStateDump,
  formatStatsDump,
  writeDump,
  type CheckerStatusSource,
} from './state-dump.js';

export class StartRefusedError extends Error {
  readonly code = 'E_REFUSED';
}

/** -v and -t: what to print and the exit status, or undefined to start the daemon. */
export function answerAndExit(
  opts: Pick<DaemonOptions, 'version' | 'configTest' | 'configFile'>,
): { readonly stdout: string; readonly stderr: string; readonly exitCode: number } | undefined {
  if (opts.version) return { stdout: versionLine('uvsd'), stderr: '', exitCode: 0 };
  if (opts.configTest) {
    const r = configTest(opts.configFile ?? KEEPALIVED_CONF);
    return { stdout: '', stderr: r.lines.map((l) => `${l}\n`).join(''), exitCode: r.exitCode };
  }
  return undefined;
}

/** The run-time files beside the control socket: lock, state dump, counters. */
export function sideFiles(socket: string): { lock: string; data: string; stats: string } {
  const base = join(dirname(socket), netnsKey());
  return { lock: `${base}.lock`, data: `${base}.data`, stats: `${base}.stats` };
}

export interface NamespaceClaim {
  /** Synchronous: from exit handlers. */
  release(): void;
}

/**
 * Refuses an inspector, takes the namespace's lock (AlreadyRunningError names the running
 * uvsd's pid), writes the pid file. Call before anything else touches the host.
 */
export function claimNamespace(socket: string, pidFile: string | undefined): NamespaceClaim {
  const refusal = inspectorRefusal();
  if (refusal !== undefined) throw new StartRefusedError(refusal);
  const lock = InstanceLock.acquire(sideFiles(socket).lock);
  const pid = pidFile !== undefined ? new PidFile(pidFile) : undefined;
  try {
    pid?.write();
  } catch (err) {
    lock.release();
    throw err;
  }
  return {
    release: () => {
      pid?.remove();
      lock.release();
    },
  };
}

/** SIGUSR1: state to the data file; SIGUSR2: counters to the stats file; each logs where. */
export function serveDumpSignals(
  director: DirectorControl,
  checkers: CheckerStatusSource | undefined,
  socket: string,
  log: Log,
): void {
  const files = sideFiles(socket);
  const dump = (what: string, path: string, text: () => string): void => {
    try {
      writeDump(path, text());
      log(`uvsd: ${what} written to ${path}`);
    } catch (err) {
      log(`uvsd: cannot write the ${what} to ${path}: ${(err as Error).message}`);
    }
  };
  onDaemonSignal('SIGUSR1', () =>
    dump('state', files.data, () => formatStateDump(director, checkers)),
  );
  onDaemonSignal('SIGUSR2', () => dump('counters', files.stats, () => formatStatsDump(director)));
}
