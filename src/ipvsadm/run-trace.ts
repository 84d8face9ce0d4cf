// The loop of `uvsadm --trace`: opens a trace session in uvsd, reads it ten times a second,
// prints each frame (and writes the capture files), and closes the session when --count frames
// were shown or the user interrupts (or uvsd goes away).
import type { ServiceKey } from '../engine/model.js';
import { TraceFiles, traceText } from '../trace/trace-output.js';
import type { TraceBatch } from '../trace/trace-record.js';
import type { TraceCommand } from './trace-args.js';

export interface TraceControl {
  traceStart(key?: ServiceKey): Promise<number>;
  traceRead(session: number): Promise<TraceBatch>;
  traceStop(session: number): Promise<void>;
}

const POLL_MS = 100;

export async function runTrace(
  cmd: TraceCommand,
  c: TraceControl,
  out: (text: string) => void,
  err: (text: string) => void,
  stop: AbortSignal,
): Promise<number> {
  const files = cmd.writePrefix !== undefined ? new TraceFiles(cmd.writePrefix) : undefined;
  const session = await (cmd.key ? c.traceStart(cmd.key) : c.traceStart());
  let shown = 0;
  let lost = 0;
  try {
    while (!stop.aborted && (cmd.count === undefined || shown < cmd.count)) {
      const batch = await c.traceRead(session);
      lost = batch.dropped;
      for (const r of batch.records) {
        if (cmd.count !== undefined && shown >= cmd.count) break;
        out(traceText(r));
        files?.write(r);
        shown++;
      }
      if (batch.records.length === 0)
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, POLL_MS);
          stop.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
        });
    }
  } finally {
    files?.close();
    await c.traceStop(session).catch(() => undefined);
  }
  if (lost > 0) err(`uvsadm: ${lost} trace record(s) lost (the reader fell behind)\n`);
  if (files) err(`uvsadm: wrote ${files.inPath} and ${files.outPath}\n`);
  return 0;
}
