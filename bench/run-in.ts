// Runs a command to completion inside a network namespace, asynchronously (the event loop keeps
// serving the processes the bench started) and bounded: killed after `timeoutMs`.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Outcome {
  /** Exit code; 124 when killed at the time limit. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runIn(
  ns: string,
  cmd: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => (stderr += `${cmd}: ${e.message}\n`));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: timedOut ? 124 : (code ?? 1),
        stdout,
        stderr: timedOut ? `${stderr}${cmd}: killed after ${timeoutMs} ms\n` : stderr,
      });
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits (bounded) for `child` to exit; SIGKILL when SIGTERM was not enough. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  if (!running()) return;
  child.kill('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (running() && Date.now() < deadline) await sleep(50);
  if (running()) child.kill('SIGKILL');
}

/**
 * Waits (bounded) until something listens on TCP `port` in `ns`, while the event loop keeps
 * reading `child`'s output; throws with that output when the child exits first.
 */
export async function waitListening(
  ns: string,
  port: number,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await runIn(ns, 'ss', ['-Hltn', `sport = :${port}`], 5000);
    if (r.code === 0 && r.stdout.trim() !== '') return;
    if (child.exitCode !== null || Date.now() > deadline) {
      await sleep(100);
      const why =
        child.exitCode !== null
          ? `exited with ${child.exitCode}`
          : `not listening after ${timeoutMs} ms`;
      throw new Error(`${why}: ${output().trim().split('\n').slice(-3).join(' / ')}`);
    }
    await sleep(100);
  }
}
