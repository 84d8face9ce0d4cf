// Counters that each thread writes alone and the main thread adds up: frames by verdict and drop
// reason, and per service / per real server connections, packets and bytes (IPVS keeps the
// latter per CPU, ip_vs_cpu_stats, for the same reason: no shared write on every packet).
// Float64: counts and byte totals pass 2^32 on a busy director.
import { MAX_DESTS, MAX_SERVICES, MAX_THREADS } from './limits.js';
import type { Part, SharedRegion } from './region.js';

/** Per service and per real server: what ipvsadm --stats prints. */
export const enum Stat {
  Conns = 0,
  InPkts = 1,
  OutPkts = 2,
  InBytes = 3,
  OutBytes = 4,
  Words = 5,
}

/** Frame counters of a thread; drops by reason follow at DropBase + reason. */
export const enum FrameStat {
  Frames = 0,
  Forwarded = 1,
  Replied = 2,
  NotOurs = 3,
  FragNeeded = 4,
  PortUnreachable = 5,
  /** Connections the defences dropped to make room (drop_entry). */
  Evicted = 6,
  /** A refused first SYN sent again and let through (first-syn-drop.ts). */
  SynRetried = 7,
  /** Drop reasons (verdict.ts) from here: room for 20. */
  DropBase = 8,
  /** The io of the thread (afpacket workers): frames and bytes in and out, losses. */
  IoRxFrames = 28,
  IoRxBytes = 29,
  IoTxFrames = 30,
  IoTxBytes = 31,
  IoTxFailed = 32,
  /** Frames the kernel dropped for want of a free ring slot (PACKET_STATISTICS). */
  IoRxRingDrops = 33,
  /** Frames too big for a ring slot (counted, never delivered). */
  IoRxTruncated = 34,
  Words = 36,
}

const SVC_BASE = FrameStat.Words;
const DEST_BASE = SVC_BASE + MAX_SERVICES * Stat.Words;
const THREAD_WORDS = DEST_BASE + MAX_DESTS * Stat.Words;

export class ThreadStats {
  /** This thread's counters. */
  readonly own: Float64Array;
  private readonly all: Float64Array;

  static parts(): Part[] {
    return [{ name: 'thread.stats', bytes: MAX_THREADS * THREAD_WORDS * 8 }];
  }

  constructor(region: SharedRegion, thread: number) {
    this.all = region.float64('thread.stats', MAX_THREADS * THREAD_WORDS);
    this.own = this.all.subarray(thread * THREAD_WORDS, (thread + 1) * THREAD_WORDS);
  }

  frame(field: number): void {
    this.own[field]!++;
  }

  /** A packet of a connection of service `svc` to real server `dest`, `bytes` long, `out` or in. */
  packet(svc: number, dest: number, bytes: number, out: boolean): void {
    const o = this.own;
    const pk = out ? Stat.OutPkts : Stat.InPkts;
    const by = out ? Stat.OutBytes : Stat.InBytes;
    const s = SVC_BASE + svc * Stat.Words;
    const d = DEST_BASE + dest * Stat.Words;
    o[s + pk]!++;
    o[s + by] = o[s + by]! + bytes;
    o[d + pk]!++;
    o[d + by] = o[d + by]! + bytes;
  }

  /** Sets one of this thread's counters (the io's, copied from where they are kept). */
  set(field: number, v: number): void {
    this.own[field] = v;
  }

  connection(svc: number, dest: number): void {
    this.own[SVC_BASE + svc * Stat.Words + Stat.Conns]!++;
    this.own[DEST_BASE + dest * Stat.Words + Stat.Conns]!++;
  }

  // --- read by the main thread ---

  /** Sum over threads of frame counter `field`. */
  sumFrame(field: number): number {
    let n = 0;
    for (let t = 0; t < MAX_THREADS; t++) n += this.all[t * THREAD_WORDS + field]!;
    return n;
  }

  /** Sums over threads of a service's (or real server's) five figures into `out`. */
  sumService(svc: number, out: Float64Array): void {
    this.sum(SVC_BASE + svc * Stat.Words, out);
  }

  sumDest(dest: number, out: Float64Array): void {
    this.sum(DEST_BASE + dest * Stat.Words, out);
  }

  private sum(base: number, out: Float64Array): void {
    out.fill(0);
    for (let t = 0; t < MAX_THREADS; t++) {
      const b = t * THREAD_WORDS + base;
      for (let k = 0; k < Stat.Words; k++) out[k] = out[k]! + this.all[b + k]!;
    }
  }
}
