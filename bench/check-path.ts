// Before a path is measured: one request must come back through it (bounded), then one
// second of load warms up caches, neighbour tables and connection tables.
import type { Lab } from '../src/lab/lab.js';
import { HTTP_PORT } from './bench-maquette.js';
import { PathUnavailable } from './paths/path.js';
import { runIn, sleep } from './run-in.js';

function oneLine(s: string): string {
  return s
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

export async function checkAndWarm(env: { readonly lab: Lab }, target: string): Promise<void> {
  const client = env.lab.ns('client');
  const url = `http://${target}:${HTTP_PORT}/`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await runIn(client, 'curl', ['-sS', '--max-time', '2', url], 5000);
    if (r.code === 0 && r.stdout.includes('uvs bench')) break;
    if (Date.now() > deadline)
      throw new PathUnavailable(
        `${url} does not answer through this path: ${oneLine(r.stderr || r.stdout)}`,
      );
    await sleep(200);
  }
  await runIn(client, 'wrk', ['-t1', '-c4', '-d1s', url], 15_000);
}
