// MISC_CHECK: an administrator's script. Exit 0: up; otherwise down. With misc_dynamic,
// 1 is down and 2…255 up with weight code − 2 (keepalived's convention). A script still
// running after misc_timeout is killed and counts as down.
import { spawn } from 'node:child_process';
import { failed, ok, type Checker, type CheckResult, type CheckTarget } from './checker.js';

export class MiscCheck implements Checker {
  readonly type = 'MISC_CHECK';

  constructor(
    private readonly command: string,
    private readonly dynamic: boolean,
    private readonly timeoutMs: number,
  ) {}

  check(_t: CheckTarget): Promise<CheckResult> {
    return new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', this.command], { stdio: 'ignore', detached: true });
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, this.timeoutMs);
      child.once('error', (e) => {
        clearTimeout(timer);
        resolve(failed(`misc_path ${this.command}: ${e.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (signal)
          return resolve(
            failed(`misc_path ${this.command}: killed (${signal}) after ${this.timeoutMs} ms`),
          );
        if (code === 0) return resolve(ok);
        if (this.dynamic && code !== null && code >= 2)
          return resolve({ ok: true, weight: code - 2 });
        resolve(failed(`misc_path ${this.command}: exit ${code}`));
      });
    });
  }
}
