// What runs on the real servers for the whole bench: nginx (a small page and a 1 MiB object),
// a TCP echo server (latency) and, set up by the maquette, an nftables counter of UDP.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../src/lab/lab.js';
import { ECHO_PORT, HTTP_PORT, SERVERS, UDP_COUNTER } from './bench-maquette.js';
import { runIn } from './run-in.js';

export const SMALL_PAGE = '/';
export const BULK_OBJECT = '/1m.bin';
export const BULK_BYTES = 1 << 20;
const TCP_ECHO = fileURLToPath(new URL('./tools/tcp-echo.js', import.meta.url));

/** nginx.conf for one server, everything under `dir` (pure). */
export function nginxConf(dir: string, root: string, port: number): string {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 60s;
  keepalive_requests 100000000;
  client_body_temp_path ${dir}/body;
  default_type application/octet-stream;
  server {
    listen ${port} default_server backlog=4096;
    root ${root};
  }
}
`;
}

/** Starts nginx and the echo server on S1 and S2 and waits until they listen. */
export function startServers(lab: Lab, workDir: string): void {
  for (const n of SERVERS) {
    const dir = join(workDir, `s${n}`);
    const root = join(dir, 'www');
    mkdirSync(root, { recursive: true });
    // A small page (the keep-alive and new-connection workloads) naming its server.
    writeFileSync(join(root, 'index.html'), `<html><body>uvs bench, server s${n}</body></html>\n`);
    writeFileSync(join(root, BULK_OBJECT.slice(1)), Buffer.alloc(BULK_BYTES, n));
    writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, root, HTTP_PORT));
    lab.startIn(`s${n}`, 'nginx', 'nginx', [
      '-e',
      join(dir, 'error.log'),
      '-p',
      dir,
      '-c',
      join(dir, 'nginx.conf'),
    ]);
    lab.startIn(`s${n}`, 'echo', process.execPath, [TCP_ECHO, '--port', String(ECHO_PORT)]);
  }
  for (const n of SERVERS) {
    lab.waitForPort(`s${n}`, HTTP_PORT);
    lab.waitForPort(`s${n}`, ECHO_PORT);
  }
}

const counterArgs = [UDP_COUNTER.family, UDP_COUNTER.table, UDP_COUNTER.name];

/** Zeroes the UDP counters of both servers. */
export async function resetUdpCounters(lab: Lab): Promise<void> {
  for (const n of SERVERS)
    await runIn(lab.ns(`s${n}`), 'nft', ['reset', 'counter', ...counterArgs], 10_000);
}

/** UDP datagrams counted on S1 and S2 since the last reset. */
export async function readUdpCounters(lab: Lab): Promise<number> {
  let total = 0;
  for (const n of SERVERS) {
    const r = await runIn(lab.ns(`s${n}`), 'nft', ['list', 'counter', ...counterArgs], 10_000);
    const m = /packets (\d+)/.exec(r.stdout);
    if (r.code !== 0 || !m)
      throw new Error(`s${n}: cannot read the UDP counter: ${r.stderr.trim()}`);
    total += Number(m[1]);
  }
  return total;
}
