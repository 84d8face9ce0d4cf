// The lab's log: one file per maquette (/run/uvs-lab/<maquette>.log), every line stamped with
// the time and the process that wrote it, so that a student reads in one place, in order,
// what uvsd, its checkers and the real servers did:
//   2026-11-27T04:05:12.345Z uvs-director/uvsd 192.168.20.1:80 DOWN (connect ECONNREFUSED)
// Processes outlive uvs-lab, so each runs under `uvs-lab log-run`, which stamps its lines.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export function stampLines(tag: string, text: string, now = new Date()): string {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => `${now.toISOString()} ${tag} ${l}\n`)
    .join('');
}

export function appendStamped(file: string, tag: string, text: string): void {
  appendFileSync(file, stampLines(tag, text));
}

/** Runs `cmd`, appending its output, stamped, to `file`; resolves with its exit status. */
export function runStamped(
  file: string,
  tag: string,
  cmd: string,
  args: readonly string[],
): Promise<number> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const follow = (stream: Readable): void => {
    createInterface({ input: stream }).on('line', (l) => appendStamped(file, tag, l));
  };
  follow(child.stdout);
  follow(child.stderr);
  // Signals for the process (uvs-lab down's TERM, a reload's HUP) are passed on.
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
    process.on(sig, () => child.kill(sig));
  return new Promise((resolve) => {
    child.once('error', (e) => {
      appendStamped(file, tag, `cannot start ${cmd}: ${e.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      appendStamped(file, tag, `exited ${signal ?? code ?? 0}`);
      resolve(code ?? 1);
    });
  });
}
