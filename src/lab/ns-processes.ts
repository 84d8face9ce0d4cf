// The processes running in a lab namespace, with their command lines (from /proc), to find
// uvsd's pid or a real server's web server.
import { readFileSync } from 'node:fs';
import { sh } from './shell.js';

export interface NsProcess {
  readonly pid: number;
  readonly argv: readonly string[];
}

export function nsProcesses(ns: string): NsProcess[] {
  let pids: string[];
  try {
    pids = sh('ip', ['netns', 'pids', ns])
      .split('\n')
      .filter((p) => p !== '');
  } catch {
    return [];
  }
  const out: NsProcess[] = [];
  for (const p of pids) {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8')
        .split('\0')
        .filter((a) => a !== '');
      out.push({ pid: Number(p), argv });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** The processes of `ns` whose program (argv[1] for node scripts) ends with `script`. */
export function nodeScripts(ns: string, script: string, arg?: string): NsProcess[] {
  return nsProcesses(ns).filter(
    (p) => (p.argv[1] ?? '').endsWith(script) && (arg === undefined || p.argv[2] === arg),
  );
}
