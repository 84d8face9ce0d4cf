#!/usr/bin/env node
// uvsadm — ipvsadm for uvs: same syntax, output, messages and exit codes, over uvsd's
// control socket. Thin: arguments, socket, execute, print.
import { ControlClient } from '../control/control-client.js';
import { defaultSocketPath } from '../control/socket-path.js';
import { UsageError, type Command } from '../ipvsadm/command.js';
import { socketControl } from '../ipvsadm/controls.js';
import { execute } from '../ipvsadm/execute.js';
import { parseArgs } from '../ipvsadm/parse-args.js';
import { runTrace, type TraceControl } from '../ipvsadm/run-trace.js';
import {
  isTraceCommand,
  parseTraceArgs,
  TRACE_USAGE,
  type TraceCommand,
} from '../ipvsadm/trace-args.js';
import { tryHelp } from '../ipvsadm/usage.js';
import type { TraceBatch } from '../trace/trace-record.js';

const PROGRAM = 'uvsadm';

function readStdin(): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => (text += d));
    process.stdin.on('end', () => resolve(text));
  });
}

async function main(): Promise<number> {
  let argv = process.argv.slice(2);
  let socket: string | undefined;
  const i = argv.findIndex((a) => a === '--socket' || a.startsWith('--socket='));
  if (i >= 0) {
    const a = argv[i]!;
    socket = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
    if (!socket) {
      process.stderr.write('--socket: missing argument\n');
      return 255;
    }
    argv = argv.filter((_, k) => k !== i && !(k === i + 1 && !a.includes('=')));
  }
  if (isTraceCommand(argv)) return trace(argv, socket);
  let cmd: Command;
  try {
    cmd = argv.length === 0 ? parseArgs(['-L']) : parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) process.stderr.write(`${err.message}\n`);
    if (err.tryHelp) process.stderr.write(tryHelp(PROGRAM));
    return err.exitCode;
  }
  const needsDaemon = cmd.kind !== 'help' && cmd.kind !== 'version';
  const client = new ControlClient(socket ?? defaultSocketPath());
  if (needsDaemon) {
    try {
      await client.connect();
    } catch (err) {
      process.stderr.write(`${PROGRAM}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  try {
    const out = await execute(cmd, socketControl(client), PROGRAM, readStdin);
    process.stdout.write(out.stdout);
    process.stderr.write(out.stderr);
    return out.exitCode;
  } finally {
    client.close();
  }
}

/** uvsadm --trace: a uvs command of its own (not ipvsadm's). */
async function trace(argv: readonly string[], socket: string | undefined): Promise<number> {
  let cmd: TraceCommand | { kind: 'trace-help' };
  try {
    cmd = parseTraceArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n${TRACE_USAGE}`);
    return err.exitCode;
  }
  if (cmd.kind === 'trace-help') {
    process.stdout.write(TRACE_USAGE);
    return 0;
  }
  const client = new ControlClient(socket ?? defaultSocketPath());
  try {
    await client.connect();
  } catch (err) {
    process.stderr.write(`${PROGRAM}: ${(err as Error).message}\n`);
    return 2;
  }
  const control: TraceControl = {
    traceStart: (...a) => client.call<number>('traceStart', ...a),
    traceRead: (session) => client.call<TraceBatch>('traceRead', session),
    traceStop: (session) => client.call<void>('traceStop', session),
  };
  const stop = new AbortController();
  const interrupted = (): void => stop.abort();
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  process.stdout.on('error', interrupted); // `uvsadm --trace | head`
  try {
    return await runTrace(
      cmd,
      control,
      (t) => void process.stdout.write(t),
      (t) => void process.stderr.write(t),
      stop.signal,
    );
  } catch (err) {
    process.stderr.write(`${PROGRAM}: ${(err as Error).message}\n`);
    return 255;
  } finally {
    client.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`${PROGRAM}: ${err.message}\n`);
    process.exitCode = 1;
  },
);
