// Rates as ipvsadm --rate prints them, estimated as IPVS's estimator does (ip_vs_est.c): every
// 2 s, from the counters' growth, smoothed (new = old + (sample − old) / 4).
import type { RateView } from './model.js';
import { Stat } from './shared/thread-stats.js';

/** Rate estimation period, as IPVS's estimator uses. */
export const RATE_PERIOD_MS = 2000;

export class RateEstimator {
  private readonly last = new Float64Array(Stat.Words);
  private readonly rates = new Float64Array(Stat.Words);
  private started = false;

  /** Takes the counters' values now, `periodMs` after the previous sample. */
  sample(now: Float64Array, periodMs: number): void {
    if (this.started) {
      const s = periodMs / 1000;
      for (let k = 0; k < Stat.Words; k++) {
        const old = this.rates[k]!;
        this.rates[k] = old + ((now[k]! - this.last[k]!) / s - old) / 4;
      }
    }
    this.last.set(now);
    this.started = true;
  }

  /** After a -Z: counting starts again from `now` and the rates from zero. */
  restart(now: Float64Array): void {
    this.last.set(now);
    this.rates.fill(0);
    this.started = true;
  }

  rate(): RateView {
    const r = this.rates;
    return {
      cps: Math.round(r[Stat.Conns]!),
      inPps: Math.round(r[Stat.InPkts]!),
      outPps: Math.round(r[Stat.OutPkts]!),
      inBps: Math.round(r[Stat.InBytes]!),
      outBps: Math.round(r[Stat.OutBytes]!),
    };
  }
}
