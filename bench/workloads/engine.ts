// engine-mpps: the lead's engine micro-benchmark (dist/bench/engine-micro.js), the engine alone
// on the memory backend; its "established NAT frames: N /s" line, in millions. With 1 k and
// 1 M connections, the ratio of the two is lookup-cost-1m-vs-1k.
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import type { PathId, Sample } from '../report/result.js';

const ENGINE_MICRO = fileURLToPath(new URL('../engine-micro.js', import.meta.url));

export interface EngineFigures {
  readonly framesPerS: number;
  /** Frames the engine dropped: a run with drops did not measure what it says. */
  readonly dropped: number;
}

/** Established NAT frames per second and drops in engine-micro's output (pure). */
export function parseEngineMicro(text: string): EngineFigures {
  const m = /established NAT frames:\s*([\d,.]+)\s*\/s/.exec(text);
  if (!m)
    throw new Error(
      `engine-micro printed no "established NAT frames" line: ${text.trim().slice(0, 200)}`,
    );
  const dropped = /dropped ([\d,]+)/.exec(text)?.[1];
  return {
    framesPerS: Number(m[1]!.replace(/,/g, '')),
    dropped: dropped === undefined ? 0 : Number(dropped.replace(/,/g, '')),
  };
}

/** Runs engine-micro (no network: the root namespace is fine) and returns frames/s. */
export function runEngineMicro(
  seconds: number,
  conns: number,
  timeoutMs: number,
): Promise<EngineFigures> {
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

const ENGINE_ID: PathId = { path: 'engine', io: 'memory', workers: 1 };

/** Frames/s of one engine-micro run; a run that dropped frames measured something else. */
async function framesPerS(seconds: number, conns: number): Promise<number> {
  const f = await runEngineMicro(seconds, conns, (seconds + 120) * 1000);
  if (f.dropped > 0)
    throw new Error(
      `engine-micro --conns ${conns} dropped ${f.dropped} frames (its table holds fewer connections): no figure`,
    );
  return f.framesPerS;
}

function failure(workload: string, round: number, err: unknown): Sample {
  const why = (err as Error).message.split('\n')[0]!;
  return { ...ENGINE_ID, workload, round, value: null, note: why };
}

/**
 * engine-mpps (10 k connections) and, with `lookup`, lookup-cost-1m-vs-1k; with a line for
 * the progress display.
 */
export async function engineSamples(
  seconds: number,
  round: number,
  lookup: boolean,
): Promise<{ samples: Sample[]; text: string }> {
  const samples: Sample[] = [];
  const text: string[] = [];
  try {
    const fps = await framesPerS(seconds, 10_000);
    samples.push({ ...ENGINE_ID, workload: 'engine-mpps', round, value: fps / 1e6 });
    text.push(`${(fps / 1e6).toFixed(2)} M frames/s`);
  } catch (err) {
    samples.push(failure('engine-mpps', round, err));
    text.push(`failed: ${samples[0]!.note}`);
  }
  if (!lookup) return { samples, text: text.join('; ') };
  try {
    const small = await framesPerS(seconds, 1000);
    const big = await framesPerS(seconds, 1_000_000);
    samples.push({ ...ENGINE_ID, workload: 'lookup-cost-1m-vs-1k', round, value: small / big });
    text.push(`1 k connections ${(small / 1e6).toFixed(2)} M/s, 1 M ${(big / 1e6).toFixed(2)} M/s`);
  } catch (err) {
    const s = failure('lookup-cost-1m-vs-1k', round, err);
    samples.push(s);
    text.push(`lookup cost: ${s.note}`);
  }
  return { samples, text: text.join('; ') };
}
