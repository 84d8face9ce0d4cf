// engine-mpps: the lead's engine micro-benchmark (dist/bench/engine-micro.js), the engine alone
// on the memory backend; its "established NAT frames: N /s" line, in millions. With 1 k and
// 1 M connections, the ratio of the two is lookup-cost-1m-vs-1k.
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';

const ENGINE_MICRO = fileURLToPath(new URL('../engine-micro.js', import.meta.url));

/** Established NAT frames per second in engine-micro's output (pure). */
export function parseEngineMicro(text: string): number {
  const m = /established NAT frames:\s*([\d,.]+)\s*\/s/.exec(text);
  if (!m)
    throw new Error(
      `engine-micro printed no "established NAT frames" line: ${text.trim().slice(0, 200)}`,
    );
  return Number(m[1]!.replace(/,/g, ''));
}

/** Runs engine-micro (no network: the root namespace is fine) and returns frames/s. */
export function runEngineMicro(seconds: number, conns: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [ENGINE_MICRO, '--seconds', String(seconds), '--conns', String(conns)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`engine-micro exited ${code}: ${out.trim().slice(0, 300)}`));
      else {
        try {
          resolve(parseEngineMicro(out));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      }
    });
  });
}
