// uvsadm's side of the control socket: calls DirectorControl methods on the uvsd of this
// network namespace.
import { createConnection, type Socket } from 'node:net';
import { ControlError } from '../engine/model.js';
import type { ControlMethod, ControlResponse } from './protocol.js';

export class DaemonUnreachableError extends Error {
  readonly code = 'E_NO_DAEMON';
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
      sock.once('error', (e) =>
        reject(
          new DaemonUnreachableError(
            `cannot reach uvsd on ${this.path} (${(e as NodeJS.ErrnoException).code ?? e.message}): is uvsd running in this network namespace?`,
          ),
        ),
      );
      sock.on('data', (chunk: string) => {
        this.buffered += chunk;
        let nl: number;
        while ((nl = this.buffered.indexOf('\n')) >= 0) {
          const resp = JSON.parse(this.buffered.slice(0, nl)) as ControlResponse;
          this.buffered = this.buffered.slice(nl + 1);
          this.waiting.get(resp.id)?.(resp);
          this.waiting.delete(resp.id);
        }
      });
      sock.on('close', () => {
        for (const w of this.waiting.values())
          w({ id: -1, ok: false, code: 'E_NO_DAEMON', message: 'uvsd closed the connection' });
        this.waiting.clear();
      });
    });
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
