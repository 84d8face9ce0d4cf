#!/usr/bin/env node
// uvsadm — ipvsadm for uvs: same syntax, output, messages and exit codes, over uvsd's
// control socket. Thin: arguments, socket, execute, print.
import { ControlClient } from '../control/control-client.js';
import { defaultSocketPath } from '../control/socket-path.js';
import { UsageError, type Command } from '../ipvsadm/command.js';
import { execute, type AsyncControl } from '../ipvsadm/execute.js';
import { parseArgs } from '../ipvsadm/parse-args.js';
import { tryHelp } from '../ipvsadm/usage.js';

const PROGRAM = 'uvsadm';

function clientControl(client: ControlClient): AsyncControl {
  const call =
    <T>(method: Parameters<ControlClient['call']>[0]) =>
    (...args: unknown[]): Promise<T> =>
      client.call<T>(method, ...args);
  return {
    addService: call('addService'),
    editService: call('editService'),
    deleteService: call('deleteService'),
    clear: call('clear'),
    addDest: call('addDest'),
    editDest: call('editDest'),
    deleteDest: call('deleteDest'),
    zero: call('zero'),
    setTimeouts: call('setTimeouts'),
    timeouts: call('timeouts'),
    services: call('services'),
    connections: call('connections'),
    connTableSize: call('connTableSize'),
    startDaemon: call('startDaemon'),
    stopDaemon: call('stopDaemon'),
    daemons: call('daemons'),
  };
}

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
    const out = await execute(cmd, clientControl(client), PROGRAM, readStdin);
    process.stdout.write(out.stdout);
    process.stderr.write(out.stderr);
    return out.exitCode;
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
