// One uvsd per network namespace: an exclusive flock(2) on a lock file next to the control
// socket, taken before uvsd touches anything (capture, guard, tap, socket). The lock belongs to
// the open file description that uvsd keeps open, so the kernel releases it when uvsd dies,
// however it dies (kill -9 included): a lock file left behind is never stale.
//
// Node has no flock(); util-linux's flock(1) takes it for us on a descriptor that uvsd lends
// it (fd 3 of the child): the lock is on the shared open file description and stays held after
// the child exits, for as long as uvsd's descriptor is open. Node opens files close-on-exec, so
// the other tools uvsd runs (ip, nft, ethtool) never inherit it.
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** flock(1)'s exit status when the lock is held elsewhere (-E). */
const CONFLICT = 75;

export class AlreadyRunningError extends Error {
  readonly code = 'E_ALREADY_RUNNING';
  constructor(readonly pid: number | undefined) {
    super(`already running in this network namespace${pid !== undefined ? `, pid ${pid}` : ''}`);
  }
}

export class InstanceLockError extends Error {
  readonly code = 'E_LOCK';
}

/** The pid written in a lock (or pid) file, if it holds one. */
export function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export class InstanceLock {
  private constructor(
    readonly path: string,
    private fd: number | undefined,
  ) {}

  /**
   * Takes the lock at `path` and writes this process's pid into it; throws AlreadyRunningError
   * (naming the holder's pid) when another live process holds it.
   */
  static acquire(path: string, pid = process.pid): InstanceLock {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    const fd = openSync(path, 'a+', 0o644);
    const r = spawnSync('flock', ['--nonblock', '--conflict-exit-code', String(CONFLICT), '3'], {
      stdio: ['ignore', 'ignore', 'pipe', fd],
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      closeSync(fd);
      if (r.status === CONFLICT) throw new AlreadyRunningError(readPid(path));
      throw new InstanceLockError(
        `cannot lock ${path}: ${r.error?.message ?? (r.stderr.trim() || `flock exited ${r.status}`)}`,
      );
    }
    ftruncateSync(fd);
    writeSync(fd, `${pid}\n`, 0);
    return new InstanceLock(path, fd);
  }

  /** Releases the lock (exit does it too). The file stays: removing it would race a newcomer. */
  release(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
