// uvsd --web HOST:PORT: a page that draws the virtual services as the course draws them, kept
// live with server-sent events. The server looks at the director every 500 ms and sends the
// whole state (it is small) when anything in it changed: a real server added or removed with
// uvsadm, a checker verdict, connections and counters moving with traffic.
// No framework, no build: the page (static/) is plain HTML, CSS and a script drawing SVG.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DirectorControl } from '../control/director-control.js';
import { WebStateTracker, type CheckSource, type WebState } from './web-state.js';

export class WebViewError extends Error {
  readonly code = 'E_WEB';
}

/** The page's files, read from the source tree (they need no compiling). */
const STATIC_DIR = new URL('../../../src/web/static/', import.meta.url);
const FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const POLL_MS = 500;
/** An SSE comment now and then keeps proxies and idle timers from closing the stream. */
const KEEPALIVE_MS = 15_000;

export function parseHostPort(text: string, flag = '--web'): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(text);
  if (!m || Number(m[2]) > 65535)
    throw new WebViewError(`${flag} ${text}: expected HOST:PORT or :PORT`);
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '0.0.0.0' : host, port: Number(m[2]) };
}

export class WebView {
  private server: Server | undefined;
  private readonly clients = new Set<ServerResponse>();
  private readonly tracker: WebStateTracker;
  private readonly files = new Map<string, Buffer>();
  private poll: NodeJS.Timeout | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private lastText = '';
  private last: WebState | undefined;

  constructor(director: DirectorControl, checks?: CheckSource) {
    this.tracker = new WebStateTracker(director, checks);
    for (const name of new Set(Object.values(FILES)))
      this.files.set(name, readFileSync(new URL(name, STATIC_DIR)));
  }

  /** Listens on "HOST:PORT"; resolves with the address (port 0 picks a free one). */
  async listen(address: string): Promise<AddressInfo> {
    const { host, port } = parseHostPort(address);
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(new WebViewError(`--web ${address}: ${e.message}`)));
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.look();
    this.poll = setInterval(() => this.look(), POLL_MS);
    this.keepalive = setInterval(() => this.broadcast(': keepalive\n\n'), KEEPALIVE_MS);
    return server.address() as AddressInfo;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    if (path === '/events') return this.subscribe(res);
    if (path === '/state.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.last));
      return;
    }
    const name = FILES[path];
    if (!name) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
      return;
    }
    res
      .writeHead(200, {
        'content-type': TYPES[name.split('.').pop()!]!,
        'cache-control': 'no-cache',
      })
      .end(this.files.get(name));
  }

  private subscribe(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    if (this.last) res.write(event(this.last));
  }

  /** Looks at the director; sends the state to every page when it changed. */
  private look(): void {
    let state: WebState;
    try {
      state = this.tracker.next();
    } catch {
      return; // the director is being reconfigured: look again next time
    }
    const text = JSON.stringify(state);
    if (text === this.lastText) return;
    this.lastText = text;
    this.last = state;
    this.broadcast(event(state));
  }

  private broadcast(chunk: string): void {
    for (const c of this.clients) c.write(chunk);
  }

  close(): void {
    if (this.poll) clearInterval(this.poll);
    if (this.keepalive) clearInterval(this.keepalive);
    for (const c of this.clients) c.end();
    this.clients.clear();
    this.server?.close();
    this.server?.closeAllConnections();
  }
}

function event(state: WebState): string {
  return `event: state\ndata: ${JSON.stringify(state)}\n\n`;
}

/** uvsd's wiring: `--web HOST:PORT` (checks: the keepalived runner under -f). */
export async function startWebView(
  address: string,
  director: DirectorControl,
  checks?: CheckSource,
): Promise<WebView> {
  const view = new WebView(director, checks);
  await view.listen(address);
  return view;
}
