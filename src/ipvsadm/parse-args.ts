// ipvsadm's command-line language → Command. Mirrors ipvsadm (popt) behaviour: the first
// option is the command; the options are applied in order (parse-state.ts), then checked
// against the commands × options table, then each command is built from what was read;
// errors carry ipvsadm's message and status.
import { FwdMethod, type DestSpec, type TimeoutsView } from '../engine/model.js';
import { fail, UsageError, type Command } from './command.js';
import { COMMAND_TAGS, OPTION_NAMES, ruleOf } from './option-table.js';
import { toNumber } from './address-arg.js';
import { applyOption, MAX_TIMEOUT, newParseState, type ParseState } from './parse-state.js';
import { tokenize, type Token } from './tokenize.js';
import { SYNC_DEFAULT_IFN } from '../sync/sync-config.js';

const DEFAULT_SCHEDULER = 'wlc';

export function parseArgs(argv: readonly string[]): Command {
  const { tokens, rest } = tokenize(argv);
  const first = tokens[0];
  if (!first || !COMMAND_TAGS.has(first.def.tag)) throw new UsageError('', 255, true);
  const command = first.def.tag;
  if (command === 'help') return { kind: 'help' };
  if (command === 'version') return { kind: 'version' };
  const daemonState = daemonStateOf(first);
  const s = newParseState();
  for (const t of tokens.slice(1)) applyOption(s, t);
  const timeouts = command === 'set' ? takeTimeouts(rest) : undefined;
  if (rest.length > 0) fail(`unexpected argument ${rest[0]}`);
  checkCommandRules(command, s.seen);
  checkListConflicts(command, s.seen);
  return buildCommand(command, s, timeouts, daemonState);
}

function daemonStateOf(first: Token): 'master' | 'backup' | undefined {
  const tag = first.def.tag;
  if (tag !== 'start-daemon' && tag !== 'stop-daemon') return undefined;
  if (first.value !== 'master' && first.value !== 'backup') {
    fail(
      tag === 'start-daemon'
        ? 'illegal start-daemon parameter specified'
        : 'illegal start_daemon specified',
    );
  }
  return first.value;
}

/** `--set tcp tcpfin udp`: the three values come as plain arguments. */
function takeTimeouts(rest: string[]): TimeoutsView {
  if (rest.length < 3) fail('--set option requires 3 timeout values');
  const [tcp, tcpFin, udp] = rest.splice(0, 3).map((v) => {
    const n = toNumber(v, 0, MAX_TIMEOUT);
    if (n === undefined) fail(`invalid timeout value \`${v}' specified`);
    return n;
  });
  return { tcp: tcp!, tcpFin: tcpFin!, udp: udp! };
}

/** The commands × options table (ipvsadm's generic_opt_check). */
function checkCommandRules(command: string, seen: ReadonlySet<string>): void {
  let exclusive: string | undefined;
  OPTION_NAMES.forEach((name, k) => {
    const rule = ruleOf(command, k);
    if (!seen.has(name)) {
      if (rule === '+')
        fail(`You need to supply the '${name}' option for the '${command}' command`);
      return;
    }
    if (rule === 'x') fail(`Illegal '${name}' option with the '${command}' command`);
    if (rule === '1') {
      if (exclusive)
        fail(
          `The option '${name}' conflicts with the '${exclusive}' option in the '${command}' command`,
        );
      exclusive = name;
    }
  });
}

function checkListConflicts(command: string, seen: ReadonlySet<string>): void {
  const any = (names: readonly string[]): boolean => names.some((o) => seen.has(o));
  if (
    command === 'list' &&
    ((any(['connection', 'timeout', 'daemon']) && any(['stats', 'rate', 'thresholds'])) ||
      (any(['timeout', 'daemon']) && seen.has('persistent-conn')))
  ) {
    fail('options conflicts in the list command');
  }
}

function buildCommand(
  command: string,
  s: ParseState,
  timeouts: TimeoutsView | undefined,
  daemonState: 'master' | 'backup' | undefined,
): Command {
  switch (command) {
    case 'add-service':
    case 'edit-service':
      return serviceCommand(command, s);
    case 'delete-service':
      return { kind: command, key: s.key! };
    case 'flush':
      return { kind: 'flush' };
    case 'add-server':
    case 'edit-server':
    case 'delete-server':
      return serverCommand(command, s);
    case 'list':
      return listCommand(s);
    case 'zero':
      return s.key ? { kind: 'zero', key: s.key } : { kind: 'zero' };
    case 'set':
      return { kind: 'set-timeout', timeouts: timeouts! };
    case 'save':
      return { kind: 'save', format: s.format };
    case 'restore':
      return { kind: 'restore' };
    case 'start-daemon':
      // ipvsadm's DEF_MCAST_IFN when --mcast-interface is not given.
      return {
        kind: command,
        daemon: {
          state: daemonState!,
          ...s.daemon,
          mcastIfn: s.daemon.mcastIfn || SYNC_DEFAULT_IFN,
        },
      };
    case 'stop-daemon':
      return { kind: command, state: daemonState! };
    default:
      throw new UsageError('', 255, true);
  }
}

function serviceCommand(kind: 'add-service' | 'edit-service', s: ParseState): Command {
  const key = s.key!;
  if (key.kind === 'addr' && key.port === 0 && s.persistent === undefined) {
    fail('Zero port specified for non-persistent service');
  }
  return {
    kind,
    spec: {
      key,
      scheduler: s.scheduler ?? DEFAULT_SCHEDULER,
      ...(s.persistent !== undefined
        ? { persistence: { timeout: s.persistent, netmask: s.netmask } }
        : {}),
      ...(s.schedFlags.length > 0 ? { schedFlags: s.schedFlags } : {}),
    },
  };
}

function serverCommand(
  kind: 'add-server' | 'edit-server' | 'delete-server',
  s: ParseState,
): Command {
  const key = s.key!;
  const server = s.server!;
  if (kind === 'delete-server')
    return { kind, key, addr: server.addr, port: server.port ?? s.svcPort };
  // DR and TUN keep the virtual port (ipvsadm: "dest port = service port").
  const keepVport =
    key.kind === 'addr' && (s.method === FwdMethod.Route || s.method === FwdMethod.Tunnel);
  if (server.family !== s.family && s.method !== FwdMethod.Tunnel)
    fail('Different address family is allowed only for tunneling servers');
  const dest: DestSpec = {
    addr: server.addr,
    port: keepVport ? s.svcPort : (server.port ?? s.svcPort),
    method: s.method,
    weight: s.weight,
    upperThreshold: s.upper,
    lowerThreshold: s.lower,
  };
  return { kind, key, dest };
}

function listCommand(s: ParseState): Command {
  if (s.seen.has('connection')) return { kind: 'list-connections', format: s.format };
  if (s.seen.has('timeout')) return { kind: 'list-timeout' };
  if (s.seen.has('daemon')) return { kind: 'list-daemon' };
  return s.key
    ? { kind: 'list', format: s.format, key: s.key }
    : { kind: 'list', format: s.format };
}
