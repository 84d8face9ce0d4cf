// `uvsadm --trace` in uvsd: opens trace sessions on the forwarding threads' rings and turns
// what they read into records uvsadm prints (interface names, the real server's address, the
// connection's state and method in ipvsadm's words), keeping only the frames of the service
// asked for: those of its connections, and those addressed to it that made none (dropped).
import { FwdMethod, type ServiceKey } from '../engine/model.js';
import type { ServiceTable } from '../engine/service-table.js';
import { TCP_STATE_NAMES } from '../engine/tcp-state.js';
import type { TraceRing } from '../engine/trace/trace-ring.js';
import { DROP_REASON_NAMES, Verdict } from '../engine/verdict.js';
import { IpProto } from '../packet/ipv4.js';
import { frameDestination } from '../trace/frame-destination.js';
import type { TraceVerdict } from '../trace/trace-line.js';
import type { TraceBatch, TraceRecord } from '../trace/trace-record.js';
import { TRACE_IDLE_MS, TraceSessions, type TracedFrame } from './trace-session.js';
import { ControlError } from '../engine/model.js';

const METHOD_WORDS: Record<FwdMethod, string> = {
  [FwdMethod.Masq]: 'Masq',
  [FwdMethod.Local]: 'Local',
  [FwdMethod.Tunnel]: 'Tunnel',
  [FwdMethod.Route]: 'Route',
};

const VERDICT_WORDS: Record<Verdict, TraceVerdict> = {
  [Verdict.NotOurs]: 'not-ours',
  [Verdict.Forward]: 'forward',
  [Verdict.Reply]: 'reply',
  [Verdict.Drop]: 'drop',
};

/** Records handed out per read at most. */
const READ_MAX = 512;

export class DirectorTrace {
  private readonly sessions: TraceSessions;
  private seq = 0;

  constructor(
    private readonly table: ServiceTable,
    threads: () => number,
    setTrace: (rings: readonly TraceRing[] | undefined) => void,
    private readonly ifName: (ifIndex: number) => string,
    clock: () => number,
  ) {
    this.sessions = new TraceSessions(
      threads,
      (rings) => setTrace(rings),
      () => setTrace(undefined),
      clock,
    );
  }

  /** Opens a session for `key`'s frames (every service's without one); returns its id. */
  start(key?: ServiceKey): number {
    // Every frame that was ours: not the host's own traffic the director let through.
    if (!key) return this.sessions.open((f) => f.verdict !== (Verdict.NotOurs as number));
    const svc = this.table.find(key);
    if (!svc) throw new ControlError('E_NO_SERVICE', 'No such service');
    const id = svc.id;
    const fwmark = key.kind === 'fwmark';
    return this.sessions.open((f) => {
      if (f.svcId >= 0) return f.svcId === id;
      if (fwmark) return false;
      const d = frameDestination(f.inFrame);
      return (
        d !== undefined &&
        d.family === svc.family &&
        d.proto === svc.proto &&
        d.addr === svc.vipText &&
        d.port === svc.port
      );
    });
  }

  read(session: number): TraceBatch {
    const got = this.sessions.poll(session, READ_MAX);
    if (!got)
      throw new ControlError(
        'E_INVALID',
        `no trace session ${session} (closed after ${TRACE_IDLE_MS / 1000} s unread?)`,
      );
    return { records: got.frames.map((f) => this.record(f)), dropped: got.dropped };
  }

  stop(session: number): void {
    this.sessions.close(session);
  }

  close(): void {
    this.sessions.closeAll();
  }

  private record(f: TracedFrame): TraceRecord {
    const verdict = VERDICT_WORDS[f.verdict as Verdict];
    const dest = f.destId >= 0 ? this.table.destsById[f.destId] : undefined;
    const proto = frameDestination(f.inFrame)?.proto;
    const state =
      f.state < 0
        ? undefined
        : proto === IpProto.TCP
          ? TCP_STATE_NAMES[f.state]
          : proto === IpProto.UDP
            ? 'UDP'
            : undefined;
    return {
      seq: ++this.seq,
      timeMs: f.time,
      inIf: this.ifName(f.inIf),
      inFrame: f.inFrame.toString('base64'),
      inLen: f.inLen,
      outs: f.outs.map((o) => ({
        ifName: this.ifName(o.ifIndex),
        frame: o.frame.toString('base64'),
        len: o.len,
      })),
      verdict,
      ...(verdict === 'drop' && f.dropReason >= 0
        ? { dropReason: DROP_REASON_NAMES[f.dropReason] ?? `reason ${f.dropReason}` }
        : {}),
      ...(f.method >= 0 ? { method: METHOD_WORDS[f.method as FwdMethod] } : {}),
      ...(f.way === 1
        ? { way: 'to-server' as const }
        : f.way === 2
          ? { way: 'to-client' as const }
          : {}),
      ...(dest
        ? {
            realServer: `${dest.family === 6 ? `[${dest.addrText}]` : dest.addrText}:${dest.port}`,
          }
        : {}),
      ...(state !== undefined ? { state } : {}),
    };
  }
}
