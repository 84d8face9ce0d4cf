// Running commands for the lab: synchronous (building a maquette is a sequence of steps),
// with the failing command and its stderr in the error.
import { execFileSync, spawnSync } from 'node:child_process';

export class LabCommandError extends Error {
  readonly code = 'E_LAB';
}

export function sh(cmd: string, args: readonly string[], input?: string): string {
  const r = spawnSync(cmd, args, { input: input ?? '', encoding: 'utf8' });
  if (r.error) throw new LabCommandError(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0)
    throw new LabCommandError(`${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** Like sh() but never throws; for clean-up. */
export function shQuiet(cmd: string, args: readonly string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs `cmd` inside network namespace `ns`. */
export function nsExec(ns: string, cmd: string, args: readonly string[], input?: string): string {
  return sh('ip', ['netns', 'exec', ns, cmd, ...args], input);
}
