// The last resort for an exception nobody caught, thrown from an async callback (a socket, a
// timer, a child process) or a promise nobody awaited. Where the line is drawn:
// - from a health check (its async context says so, see health/check-boundary.ts): the check
//   fails, its real server goes DOWN as for any failed check, uvsd logs the stack and carries
//   on. A check owns only its socket and its result: nothing is left half changed.
// - from anywhere else (the frame loop, the control plane, the host sync, the keepalived
//   runner's changes to the director): the state may be half changed, so uvsd logs the stack
//   with what it knows and exits 70 (EX_SOFTWARE), its exit handlers removing the kernel guard;
//   systemd's Restart=on-failure starts it again and the saved rules are restored.
import { checkInProgress } from '../health/check-boundary.js';
import type { Log } from './log.js';

/** EX_SOFTWARE (sysexits.h): an internal error. */
export const EXIT_INTERNAL = 70;

export function installLastResort(
  log: Log,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const handle = (kind: string, err: unknown): void => {
    const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
    const check = checkInProgress();
    if (check) {
      log(`uvsd: ${check.what}: ${kind} in the checker, counted as a failed check: ${stack}`);
      check.fail(err);
      return;
    }
    log(`uvsd: fatal ${kind}, exiting to restart from a clean state: ${stack}`);
    exit(EXIT_INTERNAL);
  };
  process.on('uncaughtException', (err) => handle('uncaught exception', err));
  process.on('unhandledRejection', (err) => handle('unhandled rejection', err));
}
