// uvsd's side of the control socket: serves a DirectorControl. A malformed request gets an
// error response; it never stops the server.
import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { AddressError } from '../packet/addr.js';
import { ControlError } from './control-error.js';
import type { DirectorControl } from './director-control.js';
import { restrictSocket } from './socket-access.js';
import {
  checkRequest,
  SYNC_METHODS,
  TRACE_METHODS,
  type ControlRequest,
  type ControlResponse,
  type SyncDaemonControl,
  type TraceControl,
} from './protocol.js';

export class ControlSocketError extends Error {
  readonly code = 'E_CONTROL_SOCKET';
}

/** Requests that change nothing (not logged with -D). */
const READ_ONLY = new Set([
  'timeouts',
  'services',
  'connections',
  'connTableSize',
  'counters',
  'daemons',
  'syncStatus',
  'traceStart',
  'traceRead',
  'traceStop',
]);

/** Largest request line accepted. */
const MAX_LINE = 1 << 20;

/** True when something answers on `path` (a live uvsd). */
function socketAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export class ControlServer {
  private server: Server | undefined;

  constructor(
    private readonly control: DirectorControl,
    /** Runs after each request (e.g. to let the daemon settle the host before answering). */
    private readonly afterRequest: () => Promise<void> = async () => {},
    private readonly log: (msg: string) => void = (m) => void process.stderr.write(`${m}\n`),
    /** -D/--log-detail: each request that changes the table. */
    private readonly detail: (msg: string) => void = () => {},
  ) {}

  private sync: SyncDaemonControl | undefined;
  private trace: TraceControl | undefined;

  /** Serves the connection sync daemons' methods too (uvsadm --start-daemon…). */
  serveSync(sync: SyncDaemonControl): void {
    this.sync = sync;
  }

  /** Serves the trace's methods too (uvsadm --trace). */
  serveTrace(trace: TraceControl): void {
    this.trace = trace;
  }

  /** The object that answers `method`. */
  private targetOf(method: ControlRequest['method']): object {
    if (SYNC_METHODS.includes(method)) {
      if (!this.sync) throw new ControlError('E_INVALID', 'connection sync is not available');
      return this.sync;
    }
    if (TRACE_METHODS.includes(method)) {
      if (!this.trace) throw new ControlError('E_INVALID', 'tracing is not available');
      return this.trace;
    }
    return this.control;
  }

  /** Listens on `path`: root only, or root and group `gid` (--socket-group). */
  async listen(path: string, gid?: number): Promise<void> {
    // The folder is shared by every namespace's socket: traversable, each socket guarded by
    // its own mode.
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    if (existsSync(path)) {
      if (await socketAlive(path)) {
        throw new ControlSocketError(
          `another uvsd already answers on ${path} (one director per network namespace)`,
        );
      }
      unlinkSync(path); // stale socket of a killed uvsd
    }
    const server = createServer((sock) => this.serve(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) =>
        reject(new ControlSocketError(`cannot listen on ${path}: ${e.message}`)),
      );
      server.listen(path, () => resolve());
    });
    restrictSocket(path, gid);
    // After listen: a failed accept (EMFILE…) is logged; without a listener it would throw.
    server.on('error', (e) => this.log(`uvsd: control socket ${path}: ${e.message}`));
    this.server = server;
  }

  private serve(sock: Socket): void {
    let pending = '';
    let queue = Promise.resolve();
    let refused = false;
    sock.setEncoding('utf8');
    sock.on('error', () => {});
    sock.on('data', (chunk: string) => {
      if (refused) return; // what a refused client still sends is dropped, not kept
      pending += chunk;
      if (pending.length > MAX_LINE && !pending.includes('\n')) {
        refused = true;
        pending = '';
        sock.end(
          JSON.stringify({ id: -1, ok: false, code: 'E_INVALID', message: 'request too long' }) +
            '\n',
        );
        return;
      }
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        queue = queue
          .then(() => this.answer(line))
          .then((resp) => {
            if (!sock.destroyed) sock.write(JSON.stringify(resp) + '\n');
          })
          // An answer that cannot be sent (a result JSON cannot carry) costs that client its
          // connection, never the daemon.
          .catch((err: unknown) => {
            this.log(`uvsd: control socket: cannot answer a request: ${String(err)}`);
            sock.destroy();
          });
      }
    });
  }

  private async answer(line: string): Promise<ControlResponse> {
    let req: unknown;
    try {
      req = JSON.parse(line);
    } catch {
      return { id: -1, ok: false, code: 'E_INVALID', message: 'request is not valid JSON' };
    }
    const bad = checkRequest(req);
    const id = typeof (req as { id?: unknown }).id === 'number' ? (req as { id: number }).id : -1;
    if (bad) return { id, ok: false, code: 'E_INVALID', message: bad };
    const { method, args } = req as ControlRequest;
    if (!READ_ONLY.has(method))
      this.detail(`uvsd: control request ${method} ${JSON.stringify(args)}`);
    try {
      const target = this.targetOf(method);
      const fn: unknown = Reflect.get(target, method);
      // A method may answer later (starting a sync daemon binds sockets).
      const result: unknown = await (fn as (...a: unknown[]) => unknown).apply(target, [...args]);
      await this.afterRequest();
      return { id, ok: true, result: result ?? null };
    } catch (err) {
      if (err instanceof ControlError)
        return { id, ok: false, code: err.code, message: err.message };
      // An address the director cannot take (a netmask it cannot read): a refusal of the
      // request's value, not an internal failure.
      if (err instanceof AddressError)
        return { id, ok: false, code: 'E_INVALID', message: err.message };
      // A well-formed request that failed inside uvsd: a bug or the host refusing, not the
      // caller's mistake.
      const message = err instanceof Error ? err.message : String(err);
      this.log(
        `uvsd: control request ${method} failed: ${err instanceof Error ? err.stack : message}`,
      );
      return { id, ok: false, code: 'E_INTERNAL', message: `internal error: ${message}` };
    }
  }

  close(): void {
    const addr = this.server?.address();
    this.server?.close();
    this.server = undefined;
    if (typeof addr === 'string') {
      try {
        unlinkSync(addr);
      } catch {
        // already gone
      }
    }
  }
}
