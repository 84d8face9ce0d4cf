// What a forwarding thread writes into its trace ring while someone traces: for each frame, the
// frame as it came in, every frame the engine sent for it, and the verdict with the connection
// it belonged to. Not used at all when nobody traces (the engine holds no writer then).
import { Cf, ConnFlag } from '../conn-layout.js';
import type { ConnEntries } from '../conn-entries.js';
import { R, TraceKind, type TraceRing } from './trace-ring.js';

export class TraceWriter {
  private seq = 0;

  constructor(
    readonly ring: TraceRing,
    private readonly thread: number,
  ) {}

  /** Starts the record of a frame (sequence numbers say the thread: thread × 2^24 + n). */
  begin(buf: Buffer, off: number, len: number, ifIndex: number, now: number): void {
    this.seq = (this.seq + 1) & 0xffffff;
    this.write(TraceKind.In, buf, off, len, ifIndex, now);
  }

  /** A frame the engine sent for the current one. */
  out(buf: Buffer, off: number, len: number, ifIndex: number, now: number): void {
    this.write(TraceKind.Out, buf, off, len, ifIndex, now);
  }

  /** What became of the current frame, and its connection in `conns` (`conn` -1: none). */
  end(
    verdict: number,
    dropReason: number,
    conns: ConnEntries,
    conn: number,
    way: number,
    now: number,
  ): void {
    const r = this.ring;
    const slot = r.claim();
    if (slot < 0) return;
    r.set(slot, R.Kind, TraceKind.Verdict);
    r.set(slot, R.Seq, this.seqWord());
    r.set(slot, R.Verdict, verdict);
    r.set(slot, R.DropReason, dropReason);
    r.set(slot, R.Way, conn >= 0 ? way : 0);
    r.set(slot, R.Method, conn >= 0 ? conns.flags(conn) & ConnFlag.MethodMask : -1);
    r.set(slot, R.State, conn >= 0 ? conns.state(conn) : -1);
    r.set(slot, R.SvcId, conn >= 0 ? conns.word(conn, Cf.SvcId) : -1);
    r.set(slot, R.DestId, conn >= 0 ? conns.word(conn, Cf.DestId) : -1);
    r.set(slot, R.Len, 0);
    r.setTime(slot, now);
    r.publish();
  }

  private seqWord(): number {
    return ((this.thread & 0x7f) << 24) | this.seq;
  }

  private write(
    kind: TraceKind,
    buf: Buffer,
    off: number,
    len: number,
    ifIndex: number,
    now: number,
  ): void {
    const r = this.ring;
    const slot = r.claim();
    if (slot < 0) return;
    r.set(slot, R.Kind, kind);
    r.set(slot, R.Seq, this.seqWord());
    r.set(slot, R.IfIndex, ifIndex);
    r.copyFrame(slot, buf, off, len);
    r.setTime(slot, now);
    r.publish();
  }
}
