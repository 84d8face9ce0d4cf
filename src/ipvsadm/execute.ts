// Runs a parsed command against the director (through the control socket or in-process),
// returning what ipvsadm would print and its exit status.
import type {
  ConnView,
  DestSpec,
  ServiceKey,
  ServiceSpec,
  ServiceView,
  TimeoutsView,
} from '../engine/model.js';
import { ControlError } from '../engine/model.js';
import { UsageError, type Command } from './command.js';
import {
  listAll,
  listConnections,
  listTimeout,
  saveRules,
  serviceEntry,
  title,
} from './format-listing.js';
import { parseArgs } from './parse-args.js';
import { UVSADM_VERSION, usage } from './usage.js';

/** The director's control, asynchronous (over the socket). */
export interface AsyncControl {
  addService(spec: ServiceSpec): Promise<void>;
  editService(spec: ServiceSpec): Promise<void>;
  deleteService(key: ServiceKey): Promise<void>;
  clear(): Promise<void>;
  addDest(key: ServiceKey, dest: DestSpec): Promise<void>;
  editDest(key: ServiceKey, dest: DestSpec): Promise<void>;
  deleteDest(key: ServiceKey, addr: string, port: number): Promise<void>;
  zero(key?: ServiceKey): Promise<void>;
  setTimeouts(t: TimeoutsView): Promise<void>;
  timeouts(): Promise<TimeoutsView>;
  services(): Promise<readonly ServiceView[]>;
  connections(): Promise<readonly ConnView[]>;
  connTableSize(): Promise<number>;
}

export interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** libipvs's messages (ipvs_strerror), by control error and operation. */
function ipvsMessage(err: ControlError, kind: Command['kind']): string {
  const onDest = kind === 'add-server' || kind === 'edit-server' || kind === 'delete-server';
  switch (err.code) {
    case 'E_SERVICE_EXISTS':
      return 'Service already exists';
    case 'E_NO_SERVICE':
      return onDest ? 'Service not defined' : 'No such service';
    case 'E_DEST_EXISTS':
      return 'Destination already exists';
    case 'E_NO_DEST':
      return 'No such destination';
    case 'E_NO_SCHEDULER':
      return 'Scheduler or persistence engine not found';
    default:
      return err.message;
  }
}

export async function execute(
  cmd: Command,
  c: AsyncControl,
  program: string,
  stdin: () => Promise<string>,
): Promise<Outcome> {
  const ok = (stdout = ''): Outcome => ({ stdout, stderr: '', exitCode: 0 });
  try {
    switch (cmd.kind) {
      case 'help':
        return ok(usage(program));
      case 'version':
        return ok(`${UVSADM_VERSION}\n`);
      case 'add-service':
        await c.addService(cmd.spec);
        return ok();
      case 'edit-service':
        await c.editService(cmd.spec);
        return ok();
      case 'delete-service':
        await c.deleteService(cmd.key);
        return ok();
      case 'flush':
        await c.clear();
        return ok();
      case 'add-server':
        await c.addDest(cmd.key, cmd.dest);
        return ok();
      case 'edit-server':
        await c.editDest(cmd.key, cmd.dest);
        return ok();
      case 'delete-server':
        await c.deleteDest(cmd.key, cmd.addr, cmd.port);
        return ok();
      case 'zero':
        await (cmd.key ? c.zero(cmd.key) : c.zero());
        return ok();
      case 'set-timeout':
        await c.setTimeouts(cmd.timeouts);
        return ok();
      case 'list': {
        const services = await c.services();
        if (cmd.key) {
          const k = JSON.stringify(cmd.key);
          const svc = services.find((s) => JSON.stringify(s.key) === k);
          if (!svc) throw new ControlError('E_NO_SERVICE', 'No such service');
          return ok(title(cmd.format) + serviceEntry(svc, cmd.format, false));
        }
        return ok(listAll(services, await c.connTableSize(), cmd.format));
      }
      case 'list-connections':
        return ok(listConnections(await c.connections(), cmd.format));
      case 'list-timeout':
        return ok(listTimeout(await c.timeouts()));
      case 'list-daemon':
        return ok(); // no sync daemon runs: ipvsadm prints nothing
      case 'save':
        return ok(saveRules(await c.services(), cmd.format));
      case 'restore':
        return await restore(c, program, await stdin());
      case 'start-daemon':
      case 'stop-daemon':
        return {
          stdout: '',
          stderr: 'connection sync daemon: not supported by this uvs version\n',
          exitCode: 255,
        };
    }
  } catch (err) {
    if (err instanceof ControlError)
      return { stdout: '', stderr: `${ipvsMessage(err, cmd.kind)}\n`, exitCode: 255 };
    throw err;
  }
}

/** `-R`: one command per line (as -S writes them); stops at the first failing line. */
async function restore(c: AsyncControl, program: string, text: string): Promise<Outcome> {
  let stdout = '';
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const words = lines[n]!.replace(/#.*/, '')
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '');
    if (words.length === 0) continue;
    let cmd: Command;
    try {
      cmd = parseArgs(words);
    } catch (err) {
      if (err instanceof UsageError)
        return { stdout, stderr: `line ${n + 1}: ${err.message}\n`, exitCode: err.exitCode };
      throw err;
    }
    if (cmd.kind === 'restore')
      return { stdout, stderr: `line ${n + 1}: -R inside -R input\n`, exitCode: 255 };
    const r = await execute(cmd, c, program, async () => '');
    stdout += r.stdout;
    if (r.exitCode !== 0) return { stdout, stderr: r.stderr, exitCode: r.exitCode };
  }
  return { stdout, stderr: '', exitCode: 0 };
}
