// Waiting on a capture while it runs (captureFile hands `during` its file): by frames written,
// with a deadline, rather than for a guessed time.
import { readFileSync } from 'node:fs';
import { pcapFrames } from '../../../src/lab/capture.js';
import { until } from '../../helpers/poll.js';

/** The frames of the capture `file` written so far that `match` (none before its header). */
function framesSoFar(file: string, match: (frame: Buffer) => boolean): number {
  const data = readFileSync(file);
  return data.length < 24 ? 0 : pcapFrames(data).filter(match).length;
}

/** Waits until the capture `file` holds `n` more frames that `match` than now. */
export async function moreFramesIn(
  file: string,
  n: number,
  match: (frame: Buffer) => boolean,
  what: string,
): Promise<void> {
  const from = framesSoFar(file, match);
  await until(() => framesSoFar(file, match) >= from + n, {
    what,
    timeoutMs: 15_000,
    lastSeen: () => `${framesSoFar(file, match) - from} of ${n}`,
  });
}

/** Whether an Ethernet frame's source MAC starts with `prefix` ("00:00:5e:00:01", say). */
export function fromMacPrefix(frame: Buffer, prefix: string): boolean {
  const mac = [...frame.subarray(6, 12)].map((b) => b.toString(16).padStart(2, '0')).join(':');
  return mac.startsWith(prefix);
}
