// uvsadm --trace on the daemon's side: while a session is open, every forwarding thread writes
// its frames into a trace ring (engine/trace/); the session reads the rings, puts the records of
// each frame together (in, out…, verdict), keeps those of the service asked for, and hands them
// out when uvsadm polls. A session nobody polls for TRACE_IDLE_MS is closed (uvsadm was killed),
// and tracing stops with the last session.
import { R, TraceKind, TraceRing } from '../engine/trace/trace-ring.js';

export const TRACE_IDLE_MS = 10_000;
/** Records per thread's ring. */
const RING_SLOTS = 1024;
/** Frames a session keeps for its reader before it drops the oldest. */
const SESSION_BACKLOG = 4096;
/**
 * How long a complete frame waits before it is handed out, so that a frame another thread
 * handled a moment earlier (and has not yet published) still comes first: the threads' rings
 * are merged in time order.
 */
const MERGE_HOLD_MS = 20;

/** One traced frame, put together. */
export interface TracedFrame {
  readonly seq: number;
  readonly time: number;
  readonly inIf: number;
  readonly inFrame: Buffer;
  readonly inLen: number;
  readonly outs: { readonly ifIndex: number; readonly frame: Buffer; readonly len: number }[];
  readonly verdict: number;
  readonly dropReason: number;
  readonly method: number;
  readonly state: number;
  readonly way: number;
  readonly svcId: number;
  readonly destId: number;
}

/** Which frames a session wants: a service's (by id), or every one. */
export type TraceWanted = (f: TracedFrame) => boolean;

interface Session {
  readonly wanted: TraceWanted;
  readonly frames: TracedFrame[];
  lastPoll: number;
  dropped: number;
}

interface Building {
  inIf: number;
  inFrame: Buffer;
  inLen: number;
  time: number;
  outs: TracedFrame['outs'][number][];
}

export class TraceSessions {
  private readonly sessions = new Map<number, Session>();
  private rings: TraceRing[] = [];
  private readonly building = new Map<number, Building>();
  /** Complete frames not yet handed out, oldest first. */
  private held: TracedFrame[] = [];
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;

  /** `start(rings)` starts the threads tracing into the rings; `stop()` stops them. */
  constructor(
    private readonly threads: () => number,
    private readonly start: (rings: readonly TraceRing[]) => void,
    private readonly stop: () => void,
    private readonly clock: () => number,
  ) {}

  open(wanted: TraceWanted): number {
    if (this.sessions.size === 0) {
      this.rings = Array.from({ length: this.threads() }, () => new TraceRing(RING_SLOTS));
      this.start(this.rings);
      this.timer = setInterval(() => this.collect(), 50);
      this.timer.unref(); // a session never keeps uvsd (or a test) alive
    }
    const id = this.nextId++;
    this.sessions.set(id, { wanted, frames: [], lastPoll: this.clock(), dropped: 0 });
    return id;
  }

  /** The frames traced since the last poll (at most `max`), and how many were lost. */
  poll(id: number, max: number): { frames: TracedFrame[]; dropped: number } | undefined {
    this.collect();
    const s = this.sessions.get(id);
    if (!s) return undefined;
    s.lastPoll = this.clock();
    const frames = s.frames.splice(0, max);
    const ringDrops = this.rings.reduce((n, r) => n + r.dropped, 0);
    return { frames, dropped: s.dropped + ringDrops };
  }

  close(id: number): void {
    this.sessions.delete(id);
    if (this.sessions.size === 0) this.end();
  }

  private end(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stop();
    this.rings = [];
    this.building.clear();
    this.held = [];
  }

  /**
   * Reads every ring, hands the frames out to the sessions in time order (each thread's ring is
   * in order; between threads, by the frames' times), closes the sessions nobody polls.
   */
  private collect(): void {
    const now = this.clock();
    for (const [id, s] of this.sessions) if (now - s.lastPoll > TRACE_IDLE_MS) this.close(id);
    const before = this.held.length;
    for (const r of this.rings) {
      for (let n = r.pending(); n > 0; n--) {
        this.take(r, r.oldest());
        r.advance();
      }
    }
    if (this.held.length > before) this.held.sort((a, b) => a.time - b.time || a.seq - b.seq);
    let due = 0;
    while (due < this.held.length && this.held[due]!.time <= now - MERGE_HOLD_MS) due++;
    for (const f of this.held.splice(0, due)) this.handOut(f);
  }

  private handOut(f: TracedFrame): void {
    for (const s of this.sessions.values()) {
      if (!s.wanted(f)) continue;
      if (s.frames.length >= SESSION_BACKLOG) {
        s.frames.shift();
        s.dropped++;
      }
      s.frames.push(f);
    }
  }

  private take(r: TraceRing, slot: number): void {
    const seq = r.get(slot, R.Seq);
    const kind = r.get(slot, R.Kind);
    if (kind === TraceKind.In) {
      this.building.set(seq, {
        inIf: r.get(slot, R.IfIndex),
        inFrame: r.frame(slot),
        inLen: r.get(slot, R.Len),
        time: r.time(slot),
        outs: [],
      });
      return;
    }
    const b = this.building.get(seq);
    if (!b) return; // its In record was dropped
    if (kind === TraceKind.Out) {
      b.outs.push({
        ifIndex: r.get(slot, R.IfIndex),
        frame: r.frame(slot),
        len: r.get(slot, R.Len),
      });
      return;
    }
    this.building.delete(seq);
    const f: TracedFrame = {
      seq,
      time: b.time,
      inIf: b.inIf,
      inFrame: b.inFrame,
      inLen: b.inLen,
      outs: b.outs,
      verdict: r.get(slot, R.Verdict),
      dropReason: r.get(slot, R.DropReason),
      method: r.get(slot, R.Method),
      state: r.get(slot, R.State),
      way: r.get(slot, R.Way),
      svcId: r.get(slot, R.SvcId),
      destId: r.get(slot, R.DestId),
    };
    this.held.push(f);
  }

  closeAll(): void {
    this.sessions.clear();
    this.end();
  }
}
