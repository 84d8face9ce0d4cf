// uvsadm's side of the control socket: calls DirectorControl methods on the uvsd of this
// network namespace.
import { createConnection, type Socket } from 'node:net';
import { ControlError } from './control-error.js';
import type { ControlMethod, ControlResponse } from './protocol.js';
import { permissionMessage } from './socket-access.js';

export class DaemonUnreachableError extends Error {
  readonly code = 'E_NO_DAEMON';
}

/** The control socket is there but not for this user. */
export class ControlPermissionError extends Error {
  readonly code = 'E_PERMISSION';
}

export class ControlClient {
  private sock: Socket | undefined;
  private nextId = 1;
  private buffered = '';
  private readonly waiting = new Map<number, (r: ControlResponse) => void>();

  constructor(private readonly path: string) {}

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = createConnection(this.path);
      sock.setEncoding('utf8');
      sock.once('connect', () => {
        this.sock = sock;
        resolve();
      });
      sock.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'EACCES' || e.code === 'EPERM'
            ? new ControlPermissionError(permissionMessage(this.path))
            : new DaemonUnreachableError(
                `cannot reach uvsd on ${this.path} (${e.code ?? e.message}): is uvsd running in this network namespace?`,
              ),
        ),
      );
      sock.on('data', (chunk: string) => {
        this.buffered += chunk;
        let nl: number;
        while ((nl = this.buffered.indexOf('\n')) >= 0) {
          const line = this.buffered.slice(0, nl);
          this.buffered = this.buffered.slice(nl + 1);
          let resp: ControlResponse;
          try {
            resp = JSON.parse(line) as ControlResponse;
          } catch {
            // Not uvsd's protocol: every caller gets the error, the socket is dropped.
            this.failAll(`${this.path} answered something that is not uvsd's protocol`);
            sock.destroy();
            return;
          }
          this.waiting.get(resp.id)?.(resp);
          this.waiting.delete(resp.id);
        }
      });
      sock.on('close', () => this.failAll('uvsd closed the connection'));
    });
  }

  private failAll(message: string): void {
    for (const w of this.waiting.values()) w({ id: -1, ok: false, code: 'E_NO_DAEMON', message });
    this.waiting.clear();
  }

  /** Calls `method(...args)` on the daemon; throws ControlError as the daemon threw it. */
  call<T>(method: ControlMethod, ...args: unknown[]): Promise<T> {
    const sock = this.sock;
    if (!sock) return Promise.reject(new DaemonUnreachableError('not connected to uvsd'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, (r) => {
        if (r.ok) resolve(r.result as T);
        else if (r.code === 'E_NO_DAEMON') reject(new DaemonUnreachableError(r.message));
        else reject(new ControlError(r.code as ControlError['code'], r.message));
      });
      sock.write(JSON.stringify({ id, method, args }) + '\n');
    });
  }

  close(): void {
    this.sock?.end();
    this.sock = undefined;
  }
}
