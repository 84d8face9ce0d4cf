// uvsd's side of the control socket: serves a DirectorControl. A malformed request gets an
// error response; it never stops the server.
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { ControlError, type DirectorControl } from '../engine/model.js';
import {
  checkRequest,
  SYNC_METHODS,
  type ControlRequest,
  type ControlResponse,
  type SyncDaemonControl,
} from './protocol.js';

export class ControlSocketError extends Error {
  readonly code = 'E_CONTROL_SOCKET';
}

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
    /** The connection sync daemons, when this uvsd runs them. */
    private readonly sync?: SyncDaemonControl,
  ) {}

  /** The object that answers `method`. */
  private targetOf(method: ControlRequest['method']): object {
    if (!(SYNC_METHODS as readonly string[]).includes(method)) return this.control;
    if (!this.sync) throw new ControlError('E_INVALID', 'connection sync is not available');
    return this.sync;
  }

  async listen(path: string): Promise<void> {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
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
    chmodSync(path, 0o600);
    this.server = server;
  }

  private serve(sock: Socket): void {
    let pending = '';
    let queue = Promise.resolve();
    sock.setEncoding('utf8');
    sock.on('error', () => {});
    sock.on('data', (chunk: string) => {
      pending += chunk;
      if (pending.length > MAX_LINE && !pending.includes('\n')) {
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
    try {
      const target = this.targetOf(method);
      const fn = (target as Record<string, (...a: unknown[]) => unknown>)[method]!;
      // A method may answer later (starting a sync daemon binds sockets).
      const result: unknown = await fn.apply(target, [...args]);
      await this.afterRequest();
      return { id, ok: true, result: result ?? null };
    } catch (err) {
      if (err instanceof ControlError)
        return { id, ok: false, code: err.code, message: err.message };
      return { id, ok: false, code: 'E_INVALID', message: (err as Error).message };
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
