// keepalived's -p/--pid FILE: uvsd's pid, for init scripts and operators. Written once uvsd
// holds its namespace's lock, removed when it exits. A pidfile naming a live uvsd of another
// namespace is refused (two directors must not share one pidfile); one naming a dead process
// is taken over.
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { readPid } from './instance-lock.js';

export class PidFileError extends Error {
  readonly code = 'E_PIDFILE';
}

/** True when `pid` is a live process whose command line names uvsd. */
function isLiveUvsd(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('uvsd');
  } catch {
    return false;
  }
}

export class PidFile {
  private written = false;

  constructor(
    readonly path: string,
    private readonly pid = process.pid,
  ) {}

  /** Writes the pid (atomically: a reader never sees an empty file). */
  write(): void {
    const other = readPid(this.path);
    if (other !== undefined && other !== this.pid && isLiveUvsd(other))
      throw new PidFileError(`${this.path} names uvsd pid ${other}, which is running`);
    const tmp = `${this.path}.${this.pid}.tmp`;
    try {
      writeFileSync(tmp, `${this.pid}\n`, { mode: 0o644 });
      renameSync(tmp, this.path);
    } catch (err) {
      throw new PidFileError(`cannot write pid file ${this.path}: ${(err as Error).message}`);
    }
    this.written = true;
  }

  /** Removes the file if it still names this process (synchronous: runs at exit). */
  remove(): void {
    if (!this.written || readPid(this.path) !== this.pid) return;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
    this.written = false;
  }
}
