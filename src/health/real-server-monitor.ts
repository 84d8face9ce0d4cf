// Runs the checkers of one real server as keepalived does: the first check after a random
// warmup, then every delay_loop; a failing check is retried `retry` times, delay_before_retry
// apart, before the checker counts as down. The server is up when all its checkers are up
// (with `alpha`, it starts down until they pass; without, it starts up).
import type { RealServerSpec, VirtualServerSpec } from '../keepalived/model.js';
import { namedReason, type CheckerStatus } from '../keepalived/status.js';
import { runCheck } from './check-boundary.js';
import type { Checker, CheckTarget } from './checker.js';
import { makeChecker } from './make-checker.js';

export interface MonitorEvent {
  readonly up: boolean;
  /** Weight from a MISC_CHECK with misc_dynamic, if any. */
  readonly weight: number;
  readonly reason: string;
}

const DEFAULT_PORTS: Record<string, number> = { SMTP_CHECK: 25, DNS_CHECK: 53 };

export class RealServerMonitor {
  private readonly states: boolean[];
  private readonly reasons: string[];
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  up: boolean;
  weight: number;

  constructor(
    readonly rs: RealServerSpec,
    vs: VirtualServerSpec,
    private readonly onChange: (m: RealServerMonitor, e: MonitorEvent) => void,
  ) {
    this.states = rs.checkers.map(() => !vs.alpha);
    this.reasons = rs.checkers.map(() => '');
    this.up = rs.checkers.length === 0 || !vs.alpha;
    this.weight = rs.weight;
  }

  start(): void {
    this.rs.checkers.forEach((spec, k) => {
      const checker = makeChecker(spec);
      const target: CheckTarget = {
        ip: spec.connectIp ?? this.rs.ip,
        port: spec.connectPort ?? (this.rs.port || DEFAULT_PORTS[spec.type] || 0),
        timeoutMs: spec.connectTimeout * 1000,
        ...(spec.bindto ? { bindto: spec.bindto } : {}),
      };
      this.later(
        () =>
          void this.cycle(
            k,
            checker,
            target,
            spec.retry,
            spec.delayBeforeRetry * 1000,
            spec.delayLoop * 1000,
          ),
        Math.random() * spec.warmup * 1000,
      );
    });
  }

  private later(fn: () => void, ms: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(resolve, ms));
  }

  private async cycle(
    k: number,
    checker: Checker,
    target: CheckTarget,
    retry: number,
    retryMs: number,
    loopMs: number,
  ): Promise<void> {
    let result = await runCheck(checker, target);
    for (let n = 0; !result.ok && n < retry && !this.stopped; n++) {
      await this.sleep(retryMs);
      if (this.stopped) return;
      result = await runCheck(checker, target);
    }
    if (this.stopped) return;
    this.states[k] = result.ok;
    this.reasons[k] = result.ok
      ? `${checker.type} passed`
      : namedReason(checker.type, result.reason);
    const weight = result.ok && result.weight !== undefined ? result.weight : this.weight;
    const up = this.states.every((s) => s);
    if (up !== this.up || weight !== this.weight) {
      this.up = up;
      this.weight = weight;
      this.onChange(this, {
        up,
        weight,
        reason: this.reasons.filter((r, i) => !this.states[i] && r).join('; ') || this.reasons[k]!,
      });
    }
    this.later(() => void this.cycle(k, checker, target, retry, retryMs, loopMs), loopMs);
  }

  /** Each checker's state and its last reason (SIGUSR1's state dump). */
  checkerStates(): CheckerStatus[] {
    return this.rs.checkers.map((c, k) => ({
      type: c.type,
      up: this.states[k]!,
      reason: this.reasons[k]!,
    }));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
