// Running the host's network tools (ip, nft, ethtool) with errors that say what failed.
import { execFile, execFileSync } from 'node:child_process';

export class HostCommandError extends Error {
  readonly code = 'E_HOST_COMMAND';
}

/** Runs `cmd args…` (stdin `input`), resolving with stdout; rejects with the tool's stderr. */
export function run(cmd: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const why = String(stderr).trim() || err.message;
        reject(new HostCommandError(`${cmd} ${args.join(' ')}: ${why}`));
      } else resolve(String(stdout));
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Synchronous variant for exit handlers; never throws, returns false on failure. */
export function runSyncQuiet(cmd: string, args: readonly string[], input?: string): boolean {
  try {
    execFileSync(cmd, args, { input: input ?? '', stdio: ['pipe', 'ignore', 'ignore'] });
    return true;
  } catch {
    return false;
  }
}
