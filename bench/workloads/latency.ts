// latency-us: request/response round trips of 32 bytes on one TCP connection (tcp-ping) to
// the echo servers behind the path; median and p99. What a path adds is its median minus
// routing's (computed when the results are aggregated).
import { fileURLToPath } from 'node:url';
import type { Lab } from '../../src/lab/lab.js';
import { ECHO_PORT } from '../bench-maquette.js';
import { runIn } from '../run-in.js';

const TCP_PING = fileURLToPath(new URL('../tools/tcp-ping.js', import.meta.url));

export interface Latency {
  readonly count: number;
  readonly medianUs: number;
  readonly p99Us: number;
}

export async function runLatency(lab: Lab, target: string, seconds: number): Promise<Latency> {
  const r = await runIn(
    lab.ns('client'),
    process.execPath,
    [TCP_PING, '--to', target, '--port', String(ECHO_PORT), '--seconds', String(seconds)],
    (seconds + 20) * 1000,
  );
  if (r.code !== 0) throw new Error(`tcp-ping: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as Latency;
}
