// What `uvsadm --trace` makes of the records uvsd hands it: two lines per frame (as received,
// as sent; one more "out" line for each further frame sent for it), and with --write PREFIX
// two capture files, PREFIX-in.pcap (frames as received) and PREFIX-out.pcap (as sent).
import { FileSink } from '../pcap/byte-sink.js';
import { PcapWriter } from '../pcap/pcap-writer.js';
import { formatTrace, type TraceMeta } from './trace-line.js';
import type { TraceRecord } from './trace-record.js';

function stamp(timeMs: number): { tsSec: number; tsNsec: number } {
  const tsSec = Math.floor(timeMs / 1000);
  return { tsSec, tsNsec: Math.round((timeMs - tsSec * 1000) * 1e6) };
}

/** The lines of one traced frame. */
export function traceText(r: TraceRecord): string {
  const { tsSec, tsNsec } = stamp(r.timeMs);
  const inFrame = Buffer.from(r.inFrame, 'base64');
  const meta = (outIf: string | undefined): TraceMeta => ({
    seq: r.seq,
    tsSec,
    tsNsec,
    inIf: r.inIf,
    ...(outIf !== undefined ? { outIf } : {}),
    verdict: r.verdict,
    ...(r.dropReason !== undefined ? { dropReason: r.dropReason } : {}),
    ...(r.method !== undefined ? { method: r.method } : {}),
    ...(r.way !== undefined ? { way: r.way } : {}),
    ...(r.realServer !== undefined ? { realServer: r.realServer } : {}),
    ...(r.state !== undefined ? { state: r.state } : {}),
  });
  const [first, ...more] = r.outs;
  let text = formatTrace(inFrame, first && Buffer.from(first.frame, 'base64'), meta(first?.ifName));
  for (const o of more) {
    // Only the "out" line: the "in" line is the same frame again.
    const lines = formatTrace(inFrame, Buffer.from(o.frame, 'base64'), meta(o.ifName)).split('\n');
    text += `${lines[1]}\n`;
  }
  return text;
}

/** PREFIX-in.pcap and PREFIX-out.pcap, written as records come. */
export class TraceFiles {
  readonly inPath: string;
  readonly outPath: string;
  private readonly inFile: PcapWriter;
  private readonly outFile: PcapWriter;

  constructor(prefix: string) {
    this.inPath = `${prefix}-in.pcap`;
    this.outPath = `${prefix}-out.pcap`;
    this.inFile = new PcapWriter(new FileSink(this.inPath), { nanosecond: true });
    this.outFile = new PcapWriter(new FileSink(this.outPath), { nanosecond: true });
  }

  write(r: TraceRecord): void {
    const ts = stamp(r.timeMs);
    const data = Buffer.from(r.inFrame, 'base64');
    this.inFile.write({ data, origLen: r.inLen, ...ts });
    for (const o of r.outs) {
      this.outFile.write({ data: Buffer.from(o.frame, 'base64'), origLen: o.len, ...ts });
    }
  }

  close(): void {
    this.inFile.close();
    this.outFile.close();
  }
}
