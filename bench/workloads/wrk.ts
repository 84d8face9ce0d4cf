// keepalive-rps, new-conn-rps and bulk-MBps: wrk from the client against nginx behind the path.
import type { Lab } from '../../src/lab/lab.js';
import { HTTP_PORT } from '../bench-maquette.js';
import { BULK_OBJECT, SMALL_PAGE } from '../servers.js';
import { runIn } from '../run-in.js';

export interface WrkFigures {
  readonly requestsPerS: number;
  /** Transfer/sec in bytes (wrk's KB/MB/GB are powers of 1024). */
  readonly bytesPerS: number;
  readonly requests: number;
  readonly socketErrors: number;
  readonly non2xx: number;
}

const BINARY: Readonly<Record<string, number>> = {
  B: 1,
  KB: 2 ** 10,
  MB: 2 ** 20,
  GB: 2 ** 30,
  TB: 2 ** 40,
};

/** wrk's summary (pure); throws naming what is missing. */
export function parseWrk(text: string): WrkFigures {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const transfer = /Transfer\/sec:\s+([\d.]+)([KMGT]?B)/.exec(text);
  const total = /(\d+) requests in/.exec(text);
  if (!rps || !transfer || !total)
    throw new Error(`wrk printed no summary: ${text.trim().slice(0, 300)}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = errors ? errors.slice(1).reduce((a, v) => a + Number(v), 0) : 0;
  return {
    requestsPerS: Number(rps[1]),
    bytesPerS: Number(transfer[1]) * BINARY[transfer[2]!]!,
    requests: Number(total[1]),
    socketErrors,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
  };
}

export type WrkWorkload = 'keepalive-rps' | 'new-conn-rps' | 'bulk-MBps';

/** wrk's arguments for a workload (pure). */
export function wrkArgs(workload: WrkWorkload, target: string, seconds: number): string[] {
  const url = (path: string): string => `http://${target}:${HTTP_PORT}${path}`;
  const common = ['-t2', `-d${seconds}s`, '--timeout', '2s'];
  switch (workload) {
    case 'keepalive-rps':
      return [...common, '-c32', url(SMALL_PAGE)];
    case 'new-conn-rps':
      return [...common, '-c32', '-H', 'Connection: close', url(SMALL_PAGE)];
    case 'bulk-MBps':
      return [...common, '-c4', url(BULK_OBJECT)];
  }
}

export interface Measured {
  readonly value: number;
  readonly note?: string;
}

export async function runWrk(
  lab: Lab,
  workload: WrkWorkload,
  target: string,
  seconds: number,
): Promise<Measured> {
  const r = await runIn(
    lab.ns('client'),
    'wrk',
    wrkArgs(workload, target, seconds),
    (seconds + 20) * 1000,
  );
  if (r.code !== 0) throw new Error(`wrk: ${(r.stderr || r.stdout).trim()}`);
  const f = parseWrk(r.stdout);
  const problems = [
    f.socketErrors > 0 ? `${f.socketErrors} socket errors` : '',
    f.non2xx > 0 ? `${f.non2xx} non-2xx responses` : '',
  ].filter((p) => p !== '');
  const value = workload === 'bulk-MBps' ? f.bytesPerS / 2 ** 20 : f.requestsPerS;
  return problems.length > 0
    ? { value, note: `wrk: ${problems.join(', ')} of ${f.requests} requests` }
    : { value };
}
