// Per service and per real server counters, as ipvsadm --stats prints them, and rates
// estimated as IPVS's estimator does (every 2 s, smoothed).
import type { RateView, StatsView } from './model.js';

/** Rate estimation period, as IPVS's estimator (ip_vs_est.c) uses. */
export const RATE_PERIOD_MS = 2000;

export class Stats {
  conns = 0;
  inPkts = 0;
  outPkts = 0;
  inBytes = 0;
  outBytes = 0;

  // Previous sample and smoothed rates (per second).
  private last = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
  private cps = 0;
  private inPps = 0;
  private outPps = 0;
  private inBps = 0;
  private outBps = 0;

  zero(): void {
    this.conns = this.inPkts = this.outPkts = this.inBytes = this.outBytes = 0;
    this.last = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
    this.cps = this.inPps = this.outPps = this.inBps = this.outBps = 0;
  }

  /** Called every RATE_PERIOD_MS; smooths like IPVS (new = old + (sample - old) / 4). */
  estimate(periodMs: number): void {
    const s = periodMs / 1000;
    const smooth = (old: number, delta: number): number => old + (delta / s - old) / 4;
    this.cps = smooth(this.cps, this.conns - this.last.conns);
    this.inPps = smooth(this.inPps, this.inPkts - this.last.inPkts);
    this.outPps = smooth(this.outPps, this.outPkts - this.last.outPkts);
    this.inBps = smooth(this.inBps, this.inBytes - this.last.inBytes);
    this.outBps = smooth(this.outBps, this.outBytes - this.last.outBytes);
    this.last = {
      conns: this.conns,
      inPkts: this.inPkts,
      outPkts: this.outPkts,
      inBytes: this.inBytes,
      outBytes: this.outBytes,
    };
  }

  view(): StatsView {
    return {
      conns: this.conns,
      inPkts: this.inPkts,
      outPkts: this.outPkts,
      inBytes: this.inBytes,
      outBytes: this.outBytes,
    };
  }

  rate(): RateView {
    return {
      cps: Math.round(this.cps),
      inPps: Math.round(this.inPps),
      outPps: Math.round(this.outPps),
      inBps: Math.round(this.inBps),
      outBps: Math.round(this.outBps),
    };
  }
}
