// vrrp_script: a command run every `interval`, with a timeout, whose verdict (after `fall`
// consecutive failures or `rise` consecutive successes) moves the priority of the instances
// that track it or puts them in FAULT. A run never blocks: it is a child process, killed
// when it outlives its timeout (which counts as a failure); a run still going at the next
// interval is not started twice.
import { spawn } from 'node:child_process';
import type { Clock, TimerId } from '../clock/clock.js';
import type { VrrpScriptSpec } from './vrrp-spec.js';

/** fall/rise hysteresis over a script's results. Starts OK, as keepalived without init_fail. */
export class ScriptVerdict {
  private streak = 0;

  constructor(
    private readonly fall: number,
    private readonly rise: number,
    /** Starts failed (init_fail) or OK. */
    public ok = true,
  ) {}

  /** One run's result; returns the new verdict when it changed. */
  record(success: boolean): boolean | undefined {
    if (success === this.ok) {
      this.streak = 0;
      return undefined;
    }
    this.streak++;
    if (this.streak < (this.ok ? this.fall : this.rise)) return undefined;
    this.ok = success;
    this.streak = 0;
    return success;
  }
}

/** Runs a script line; resolves true on exit status 0, false otherwise or past `timeoutMs`. */
export type ScriptExec = (line: string, timeoutMs: number) => Promise<boolean>;

/** The real ScriptExec: `/bin/sh -c line`, SIGKILL at the timeout. */
export const execScript: ScriptExec = (line, timeoutMs) =>
  new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', line], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });

export class ScriptTracker {
  private readonly verdict: ScriptVerdict;
  private timer: TimerId | undefined;
  private running = false;
  private stopped = true;
  /** Runs started and finished (for tests and the state dump). */
  runs = 0;

  constructor(
    readonly spec: VrrpScriptSpec,
    private readonly clock: Clock,
    private readonly exec: ScriptExec,
    private readonly onChange: (name: string, ok: boolean) => void,
  ) {
    this.verdict = new ScriptVerdict(spec.fall, spec.rise, !spec.initFail);
  }

  get ok(): boolean {
    return this.verdict.ok;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(this.spec.intervalMs, () => this.tick());
    if (this.running) return;
    this.running = true;
    void this.exec(this.spec.script, this.spec.timeoutMs)
      .catch(() => false)
      .then((success) => {
        this.running = false;
        this.runs++;
        if (this.stopped) return;
        const changed = this.verdict.record(success);
        if (changed !== undefined) this.onChange(this.spec.name, changed);
      });
  }

  stop(): void {
    this.stopped = true;
    this.clock.cancel(this.timer);
    this.timer = undefined;
  }
}
