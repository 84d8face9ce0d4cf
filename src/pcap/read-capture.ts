// Opens a capture file of either format, told apart by its first bytes.
import { readFileSync } from 'node:fs';
import { CaptureFormatError, type Capture } from './capture.js';
import { isPcap, readPcap } from './pcap-reader.js';
import { isPcapng, readPcapng } from './pcapng-reader.js';

export function decodeCapture(buf: Buffer, file: string): Capture {
  if (isPcapng(buf)) return readPcapng(buf, file);
  if (isPcap(buf)) return readPcap(buf, file);
  const head = buf.subarray(0, 4).toString('hex') || 'nothing';
  throw new CaptureFormatError(file, undefined, 0, `neither pcap nor pcapng (starts with ${head})`);
}

/** Reads a whole capture file (pcap or pcapng) into memory. */
export function readCaptureFile(file: string): Capture {
  return decodeCapture(readFileSync(file), file);
}
