// What the control socket asks of uvsd's tracing (uvsadm --trace); DirectorTrace implements it.
import type { ServiceKey } from '../engine/model.js';
import type { TraceBatch } from '../trace/trace-record.js';

export interface TraceControl {
  /** Opens a session on `key`'s frames (every service's without one); returns its id. */
  traceStart(key?: ServiceKey): number;
  /** The session's frames since the last read. A session unread for 10 s is closed. */
  traceRead(session: number): TraceBatch;
  traceStop(session: number): void;
}
