// Where capture writers put their bytes: memory (tests, small outputs) or a file.
import { closeSync, openSync, writeSync } from 'node:fs';

export interface ByteSink {
  write(chunk: Buffer): void;
  close(): void;
}

export class MemorySink implements ByteSink {
  private readonly chunks: Buffer[] = [];
  write(chunk: Buffer): void {
    this.chunks.push(Buffer.from(chunk));
  }
  close(): void {}
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Writes synchronously to a file created (or truncated) with mode 0644. */
export class FileSink implements ByteSink {
  private fd: number | undefined;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o644);
  }
  write(chunk: Buffer): void {
    if (this.fd === undefined) throw new Error(`${this.path}: written after close`);
    writeSync(this.fd, chunk);
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
