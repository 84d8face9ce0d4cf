// A bounded tcpdump capture inside a lab namespace while something happens; returns the
// decoded lines (tcpdump -n -tt -e: with MAC addresses, for ARP checks).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function captureIn(ns: string, ifName: string, filter: string, during: () => Promise<void> | void): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'uvs-cap-'));
  const file = join(dir, 'cap.pcap');
  // -Z root: tcpdump would otherwise drop to its own user and fail to write in `dir`;
  // --immediate-mode: frames are written as they come, not when a ring block fills.
  const td = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-Z', 'root', '--immediate-mode', '-n', '-U', '-i', ifName, '-w', file, filter], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const killer = setTimeout(() => td.kill('SIGKILL'), 60_000);
  try {
    await new Promise<void>((resolve, reject) => {
      let err = '';
      td.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('listening on')) resolve();
      });
      td.once('exit', () => reject(new Error(`tcpdump exited: ${err}`)));
    });
    await during();
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    clearTimeout(killer);
    td.kill('SIGTERM');
    await new Promise((r) => (td.exitCode !== null ? r(null) : td.once('exit', r)));
  }
  const r = spawnSync('ip', ['netns', 'exec', ns, 'tcpdump', '-n', '-tt', '-e', '-r', file], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  return (r.stdout ?? '').split('\n').filter((l) => l.trim() !== '');
}
