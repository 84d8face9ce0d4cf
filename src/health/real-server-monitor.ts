// Runs the checkers of one real server as keepalived does: the first check after a random
// warmup, then every delay_loop; a failing check is retried `retry` times, delay_before_retry
// apart, before the checker counts as down. The server is up when all its checkers are up
// (with `alpha`, it starts down until they pass; without, it starts up). Time comes from a
// Clock, so tests drive every timer with a fake one; the checkers themselves are injected.
import type { Clock, TimerId } from '../clock/clock.js';
import type { CheckerSpec } from './checker-spec.js';
import { namedReason, type CheckerStatus } from './checker-status.js';
import { runCheck } from './check-boundary.js';
import type { Checker, CheckResult, CheckTarget } from './checker.js';

export interface MonitorEvent {
  readonly up: boolean;
  /** Weight from a MISC_CHECK with misc_dynamic, if any. */
  readonly weight: number;
  readonly reason: string;
}

/** What a monitor needs of the world. */
export interface MonitorDeps {
  readonly clock: Clock;
  readonly makeChecker: (spec: CheckerSpec) => Checker;
  /** Uniform in [0, 1): the warmup's random delay (seeded in tests). */
  readonly random: () => number;
}

/**
 * A monitor's verdicts, carried over a reload so that a real server its checkers hold DOWN
 * stays out of the table (keepalived migrates checker states the same way).
 */
export interface MonitorSnapshot {
  /** Each checker's identity (checkerIdentity) and whether it is up. */
  readonly checkers: readonly (readonly [string, boolean])[];
  /** A weight a MISC_CHECK with misc_dynamic set, if any (the configured one otherwise). */
  readonly dynamicWeight?: number;
}

const DEFAULT_PORTS: Record<string, number> = { SMTP_CHECK: 25, DNS_CHECK: 53 };

/** What a monitor reads of a real server (keepalived's real_server block fits it). */
export interface MonitoredServer {
  readonly ip: string;
  readonly port: number;
  readonly weight: number;
  /** keepalived's real_server `alpha`; unset: the virtual server's. */
  readonly alpha?: boolean;
  readonly checkers: readonly CheckerSpec[];
}

/** Settings that say when and how patiently a checker checks, not what it checks. */
const TIMING: ReadonlySet<string> = new Set([
  'where',
  'delayLoop',
  'retry',
  'delayBeforeRetry',
  'warmup',
  'connectTimeout',
]);

/**
 * A checker block's identity across reloads: what it checks (type, target, URLs, script…),
 * not its timing nor where it was written, as keepalived compares checkers when it migrates
 * their state: a new delay_loop keeps a DOWN verdict.
 */
export function checkerIdentity(spec: CheckerSpec): string {
  return JSON.stringify(spec, (k, v: unknown) => (TIMING.has(k) ? undefined : v));
}

function targetOf(rs: MonitoredServer, spec: CheckerSpec): CheckTarget {
  return {
    ip: spec.connectIp ?? rs.ip,
    port: spec.connectPort ?? (rs.port || DEFAULT_PORTS[spec.type] || 0),
    timeoutMs: spec.connectTimeout * 1000,
    ...(spec.bindto ? { bindto: spec.bindto } : {}),
  };
}

export class RealServerMonitor<S extends MonitoredServer = MonitoredServer> {
  private readonly states: boolean[];
  private readonly reasons: string[];
  private readonly checkers: Checker[];
  private readonly timers = new Set<TimerId>();
  /** Bumped by start() and stop(): a result of an older run is ignored. */
  private generation = 0;
  up: boolean;
  weight: number;

  constructor(
    readonly rs: S,
    vs: { readonly alpha: boolean },
    private readonly onChange: (m: RealServerMonitor<S>, e: MonitorEvent) => void,
    private readonly deps: MonitorDeps,
    previous?: MonitorSnapshot,
  ) {
    const carried = [...(previous?.checkers ?? [])];
    this.states = rs.checkers.map((spec) => {
      const k = carried.findIndex(([id]) => id === checkerIdentity(spec));
      if (k < 0) return !(rs.alpha ?? vs.alpha);
      const [[, up]] = carried.splice(k, 1) as [readonly [string, boolean]];
      return up;
    });
    this.reasons = rs.checkers.map(() => '');
    this.checkers = rs.checkers.map((spec) => deps.makeChecker(spec));
    this.up = this.states.every((s) => s);
    // A weight set by misc_dynamic carries over while such a checker remains; a configured
    // weight is the new configuration's.
    const dynamic = rs.checkers.some((c) => c.miscDynamic) ? previous?.dynamicWeight : undefined;
    this.weight = dynamic ?? rs.weight;
  }

  /** Starts (or resumes) the checkers: each one's first check after its random warmup. */
  start(): void {
    this.stop();
    const gen = this.generation;
    this.rs.checkers.forEach((spec, k) => {
      this.later(gen, spec.warmup * 1000 * this.deps.random(), () => this.cycle(gen, k, spec));
    });
  }

  /** Each checker's state and its last reason (SIGUSR1's state dump). */
  checkerStates(): CheckerStatus[] {
    return this.rs.checkers.map((c, k) => ({
      type: c.type,
      up: this.states[k]!,
      reason: this.reasons[k]!,
    }));
  }

  /** Stops the checkers; their verdicts so far are kept (ha_suspend, reload). */
  stop(): void {
    this.generation++;
    for (const t of this.timers) this.deps.clock.cancel(t);
    this.timers.clear();
  }

  snapshot(): MonitorSnapshot {
    return {
      checkers: this.rs.checkers.map((spec, k) => [checkerIdentity(spec), this.states[k]!]),
      ...(this.weight !== this.rs.weight ? { dynamicWeight: this.weight } : {}),
    };
  }

  private later(gen: number, ms: number, fn: () => void): void {
    if (gen !== this.generation) return;
    const id = this.deps.clock.setTimer(ms, () => {
      this.timers.delete(id);
      if (gen === this.generation) fn();
    });
    this.timers.add(id);
  }

  /** One check, then its retries while it fails, then the verdict and the next cycle. */
  private cycle(gen: number, k: number, spec: CheckerSpec, attempt = 0): void {
    const checker = this.checkers[k]!;
    // A checker that throws or rejects is a failed check, not a crash (check-boundary.ts).
    void runCheck(checker, targetOf(this.rs, spec)).then((result) => {
      if (gen !== this.generation) return;
      if (!result.ok && attempt < spec.retry) {
        this.later(gen, spec.delayBeforeRetry * 1000, () => this.cycle(gen, k, spec, attempt + 1));
        return;
      }
      this.verdict(k, result);
      this.later(gen, spec.delayLoop * 1000, () => this.cycle(gen, k, spec));
    });
  }

  private verdict(k: number, result: CheckResult): void {
    this.states[k] = result.ok;
    const type = this.checkers[k]!.type;
    this.reasons[k] = result.ok ? `${type} passed` : namedReason(type, result.reason);
    const weight = result.ok && result.weight !== undefined ? result.weight : this.weight;
    const up = this.states.every((s) => s);
    if (up === this.up && weight === this.weight) return;
    this.up = up;
    this.weight = weight;
    this.onChange(this, {
      up,
      weight,
      reason: this.reasons.filter((r, i) => !this.states[i] && r).join('; ') || this.reasons[k],
    });
  }
}
