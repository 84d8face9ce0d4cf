// The rules kept across restarts: one text file (what `uvsadm -S -n` prints) per network
// namespace, written atomically (temporary file, fsync, rename, fsync of the folder), so that
// a uvsd killed at any moment leaves either the previous rules or the new ones, never half.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

export class ConfigStoreError extends Error {
  readonly code = 'E_STATE';
}

export class ConfigStore {
  constructor(readonly path: string) {}

  save(text: string): void {
    const dir = dirname(this.path);
    const tmp = `${this.path}.tmp`;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      const dfd = openSync(dir, 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch (err) {
      throw new ConfigStoreError(
        `cannot save the rules to ${this.path}: ${(err as Error).message}`,
      );
    }
  }

  /** The saved text, or undefined when nothing was saved yet. */
  load(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ConfigStoreError(
        `cannot read the rules in ${this.path}: ${(err as Error).message}`,
      );
    }
  }
}
