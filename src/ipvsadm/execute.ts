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
import { ControlError } from '../control/control-error.js';
import type { SyncDaemonRequest, SyncDaemonView } from '../sync/sync-config.js';
import { sameServiceKey, UsageError, type Command } from './command.js';
import {
  listAll,
  listConnections,
  listDaemons,
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
  /** The connection sync daemons (absent: this uvsd runs none). */
  startDaemon?(request: SyncDaemonRequest): Promise<void>;
  stopDaemon?(state: 'master' | 'backup'): Promise<void>;
  daemons?(): Promise<readonly SyncDaemonView[]>;
}

const NO_SYNC = new ControlError('E_INVALID', 'connection sync is not available');

export interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** libipvs's messages (ipvs_strerror), by control error and operation. */
function ipvsMessage(err: ControlError, cmd: Command): string {
  const kind = cmd.kind;
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
    case 'E_INVALID':
      return err.message;
    case 'E_INTERNAL':
      return err.message;
  }
}

export async function execute(
  cmd: Command,
  c: AsyncControl,
  program: string,
  stdin: () => Promise<string>,
): Promise<Outcome> {
  try {
    const stdout = await run(cmd, c, program, stdin);
    if (typeof stdout === 'string') return { stdout, stderr: '', exitCode: 0 };
    return stdout;
  } catch (err) {
    if (err instanceof ControlError)
      return { stdout: '', stderr: `${ipvsMessage(err, cmd)}\n`, exitCode: 255 };
    throw err;
  }
}

/** What the command prints, or its whole outcome when it is not a plain success. */
async function run(
  cmd: Command,
  c: AsyncControl,
  program: string,
  stdin: () => Promise<string>,
): Promise<string | Outcome> {
  switch (cmd.kind) {
    case 'help':
      return usage(program);
    case 'version':
      return `${UVSADM_VERSION}\n`;
    case 'list':
    case 'list-connections':
    case 'list-timeout':
    case 'list-daemon':
    case 'save':
      return listing(cmd, c);
    case 'restore':
      return restore(c, program, await stdin());
    case 'start-daemon':
      if (!c.startDaemon) throw NO_SYNC;
      await c.startDaemon(cmd.daemon);
      return '';
    case 'stop-daemon':
      if (!c.stopDaemon) throw NO_SYNC;
      await c.stopDaemon(cmd.state);
      return '';
    case 'add-service':
    case 'edit-service':
    case 'delete-service':
    case 'flush':
    case 'add-server':
    case 'edit-server':
    case 'delete-server':
    case 'zero':
    case 'set-timeout':
      await change(cmd, c);
      return '';
  }
}

type ChangeCommand = Extract<
  Command,
  {
    kind:
      | 'add-service'
      | 'edit-service'
      | 'delete-service'
      | 'flush'
      | 'add-server'
      | 'edit-server'
      | 'delete-server'
      | 'zero'
      | 'set-timeout';
  }
>;

function change(cmd: ChangeCommand, c: AsyncControl): Promise<void> {
  switch (cmd.kind) {
    case 'add-service':
      return c.addService(cmd.spec);
    case 'edit-service':
      return c.editService(cmd.spec);
    case 'delete-service':
      return c.deleteService(cmd.key);
    case 'flush':
      return c.clear();
    case 'add-server':
      return c.addDest(cmd.key, cmd.dest);
    case 'edit-server':
      return c.editDest(cmd.key, cmd.dest);
    case 'delete-server':
      return c.deleteDest(cmd.key, cmd.addr, cmd.port);
    case 'zero':
      return cmd.key ? c.zero(cmd.key) : c.zero();
    case 'set-timeout':
      return c.setTimeouts(cmd.timeouts);
  }
}

type ListingCommand = Extract<
  Command,
  { kind: 'list' | 'list-connections' | 'list-timeout' | 'list-daemon' | 'save' }
>;

async function listing(cmd: ListingCommand, c: AsyncControl): Promise<string> {
  switch (cmd.kind) {
    case 'list': {
      const services = await c.services();
      if (!cmd.key) return listAll(services, await c.connTableSize(), cmd.format);
      const key = cmd.key;
      const svc = services.find((s) => sameServiceKey(s.key, key));
      if (!svc) throw new ControlError('E_NO_SERVICE', 'No such service');
      return title(cmd.format) + serviceEntry(svc, cmd.format, false);
    }
    case 'list-connections':
      return listConnections(await c.connections(), cmd.format);
    case 'list-timeout':
      return listTimeout(await c.timeouts());
    case 'list-daemon':
      return listDaemons(c.daemons ? await c.daemons() : []);
    case 'save':
      return saveRules(await c.services(), cmd.format);
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
    const r = await execute(cmd, c, program, () => Promise.resolve(''));
    stdout += r.stdout;
    if (r.exitCode !== 0) return { stdout, stderr: r.stderr, exitCode: r.exitCode };
  }
  return { stdout, stderr: '', exitCode: 0 };
}
