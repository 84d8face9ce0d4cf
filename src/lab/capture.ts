// A bounded tcpdump capture inside a lab namespace while something happens; returns the
// decoded lines (tcpdump -n -tt -e: with MAC addresses, for ARP checks).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function captureIn(
  ns: string,
  ifName: string,
  filter: string,
  during: () => Promise<void> | void,
): Promise<string[]> {
  return captureFile(ns, ifName, filter, during, (file) => {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'tcpdump', '-n', '-tt', '-e', '-r', file], {
      encoding: 'utf8',
    });
    return r.stdout.split('\n').filter((l) => l.trim() !== '');
  });
}

/**
 * Captures into a pcap file while `during` runs (given the file, which fills frame by frame), then
 * hands the file to `read`.
 */
export async function captureFile<T>(
  ns: string,
  ifName: string,
  filter: string,
  during: (file: string) => Promise<void> | void,
  read: (file: string) => T,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'uvs-cap-'));
  const file = join(dir, 'cap.pcap');
  // -Z root: tcpdump would otherwise drop to its own user and fail to write in `dir`;
  // --immediate-mode: frames are written as they come, not when a ring block fills.
  const td = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns,
      'tcpdump',
      '-Z',
      'root',
      '--immediate-mode',
      '-n',
      '-U',
      '-i',
      ifName,
      '-w',
      file,
      filter,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
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
    await during(file);
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    clearTimeout(killer);
    td.kill('SIGTERM');
    await new Promise((r) => (td.exitCode !== null ? r(null) : td.once('exit', r)));
  }
  try {
    return read(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The frames of a pcap file (classic format, Ethernet), for byte-level checks. */
export function pcapFrames(data: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  const le = data.readUInt32LE(0) === 0xa1b2c3d4 || data.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (o: number): number => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  for (let o = 24; o + 16 <= data.length;) {
    const incl = u32(o + 8);
    // A record still being written (the file read during its capture) is not a frame yet.
    if (o + 16 + incl > data.length) break;
    frames.push(data.subarray(o + 16, o + 16 + incl));
    o += 16 + incl;
  }
  return frames;
}
