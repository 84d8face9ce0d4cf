// The lab's real servers: an HTTP server answering a fixed page (the course's «Je suis le
// serveur 1…»), plus /bytes?n=N (a deterministic N-byte body, for download tests) and
// /hold?ms=M (answers after M ms, for tests that hold connections open), /lines?n=N&ms=M
// (N numbered lines, one every M ms: a long stream whose every line must arrive); and a UDP echo
// server that prefixes each answer with its name. /upload answers the length and SHA-256
// of the body it receives. Any other path is 404, as on a real server, so that a checker's
// status_code or digest on a wrong url fails for the students to see.
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';

/** The deterministic body of /bytes: byte k is (k × 7 + k >> 8) & 0xff. */
export function deterministicBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let k = 0; k < n; k++) b[k] = (k * 7 + (k >> 8)) & 0xff;
  return b;
}

const MAX_BYTES = 256 * 1024 * 1024;
const MAX_HOLD_MS = 120_000;
const MAX_LINES = 100_000;

export function serveHttp(port: number, text: string, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/bytes') {
      const n = Math.min(Number(url.searchParams.get('n') ?? '0') || 0, MAX_BYTES);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n });
      res.end(deterministicBytes(n));
      return;
    }
    if (url.pathname === '/upload') {
      // Reads the whole body and answers its length and SHA-256 (for upload tests).
      const hash = createHash('sha256');
      let n = 0;
      req.on('data', (d: Buffer) => {
        n += d.length;
        hash.update(d);
      });
      req.on('end', () => res.end(`${n} ${hash.digest('hex')}\n`));
      return;
    }
    if (url.pathname === '/lines') {
      const n = Math.min(Number(url.searchParams.get('n') ?? '0') || 0, MAX_LINES);
      const ms = Math.min(Number(url.searchParams.get('ms') ?? '0') || 0, 1000);
      res.writeHead(200, { 'content-type': 'text/plain' });
      let k = 0;
      const timer = setInterval(() => {
        if (++k > n) {
          clearInterval(timer);
          res.end();
        } else res.write(`line ${k}\n`);
      }, ms);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (url.pathname === '/hold') {
      const ms = Math.min(Number(url.searchParams.get('ms') ?? '0') || 0, MAX_HOLD_MS);
      setTimeout(() => res.end(`${text}\n`), ms);
      return;
    }
    if (url.pathname !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${url.pathname}: not found\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export function serveUdpEcho(port: number, name: string): Promise<void> {
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) =>
    sock.send(Buffer.concat([Buffer.from(`${name}:`), msg]), rinfo.port, rinfo.address),
  );
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, () => resolve());
  });
}
