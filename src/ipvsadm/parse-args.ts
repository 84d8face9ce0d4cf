// ipvsadm's command-line language → Command. Mirrors ipvsadm (popt) behaviour: the first
// option is the command; options may be clustered (-Ln) or take attached values (-srr,
// --scheduler=rr); -p takes an optional value; errors carry ipvsadm's message and status.
import { isIpv4 } from '../packet/addr.js';
import { FwdMethod, type DestSpec, type ServiceKey, type TimeoutsView } from '../engine/model.js';
import { UsageError, type Command, type ListFormat } from './command.js';
import { hostAddress, servicePort } from './names.js';
import {
  COMMAND_TAGS,
  OPTION_GROUP,
  OPTION_NAMES,
  OPTIONS,
  ruleOf,
  type OptionDef,
} from './option-table.js';

/** ipvsadm's MAX_TIMEOUT (86400 × 31). */
const MAX_TIMEOUT = 86400 * 31;
const DEFAULT_PERSISTENCE = 300;
const DEFAULT_SCHEDULER = 'wlc';

interface Token {
  readonly def: OptionDef;
  readonly value: string | undefined;
  /** How the user wrote it, for messages. */
  readonly text: string;
}

function tokenize(argv: readonly string[]): { tokens: Token[]; rest: string[] } {
  const tokens: Token[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const takeValue = (def: OptionDef, attached: string | undefined, text: string): void => {
      if (def.arg === 'none') {
        if (attached !== undefined)
          throw new UsageError(`${text}: option does not take an argument`, 255);
        tokens.push({ def, value: undefined, text });
      } else if (attached !== undefined && attached !== '') {
        tokens.push({ def, value: attached, text });
      } else if (def.arg === 'optional') {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('-')) {
          tokens.push({ def, value: next, text });
          i++;
        } else tokens.push({ def, value: undefined, text });
      } else {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`${text}: missing argument`, 255);
        tokens.push({ def, value: next, text });
        i++;
      }
    };
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq >= 0 ? eq : undefined);
      const def = OPTIONS.find((o) => o.long === name);
      if (!def) throw new UsageError(`${a}: unknown option`, 255, tokens.length === 0);
      takeValue(def, eq >= 0 ? a.slice(eq + 1) : undefined, `--${name}`);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const def = OPTIONS.find((o) => o.short === a[k]);
        if (!def) throw new UsageError(`-${a[k]}: unknown option`, 255, tokens.length === 0);
        if (def.arg !== 'none') {
          takeValue(def, a.slice(k + 1) || undefined, `-${a[k]}`);
          break;
        }
        takeValue(def, undefined, `-${a[k]}`);
      }
    } else {
      rest.push(a);
    }
  }
  return { tokens, rest };
}

function fail(message: string): never {
  throw new UsageError(message, 2);
}

function toNumber(s: string, min: number, max: number): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= min && n <= max ? n : undefined;
}

/** host[:port] with names from /etc/hosts and /etc/services; undefined when illegal. */
function parseAddrPort(
  text: string,
  proto: 'tcp' | 'udp',
): { addr: string; port: number | undefined } | undefined {
  if (/^\d+$/.test(text)) return undefined;
  const colon = text.lastIndexOf(':');
  const host = colon >= 0 ? text.slice(0, colon) : text;
  const portText = colon >= 0 ? text.slice(colon + 1) : undefined;
  const addr = isIpv4(host) ? host : hostAddress(host);
  if (!addr) return undefined;
  if (portText === undefined) return { addr, port: undefined };
  const port = toNumber(portText, 0, 65535) ?? servicePort(portText, proto);
  return port === undefined ? undefined : { addr, port };
}

export function parseArgs(argv: readonly string[]): Command {
  const { tokens, rest } = tokenize(argv);
  const first = tokens[0];
  if (!first || !COMMAND_TAGS.has(first.def.tag)) throw new UsageError('', 255, true);
  const command = first.def.tag;
  if (command === 'help') return { kind: 'help' };
  if (command === 'version') return { kind: 'version' };

  const seen = new Set<string>();
  let proto: 'tcp' | 'udp' = 'tcp';
  let key: ServiceKey | undefined;
  let svcPort = 0;
  let scheduler: string | undefined;
  let persistent: number | undefined;
  let netmask = '255.255.255.255';
  let server: { addr: string; port: number | undefined } | undefined;
  let method = FwdMethod.Route;
  let weight = 1;
  let upper = 0;
  let lower = 0;
  let schedFlags: string[] = [];
  const format = {
    numeric: false,
    stats: false,
    rate: false,
    thresholds: false,
    persistentConn: false,
    exact: false,
    nosort: false,
  };
  let daemonState: 'master' | 'backup' | undefined;

  if (first.def.tag === 'start-daemon' || first.def.tag === 'stop-daemon') {
    if (first.value !== 'master' && first.value !== 'backup') {
      fail(
        first.def.tag === 'start-daemon'
          ? 'illegal start-daemon parameter specified'
          : 'illegal start_daemon specified',
      );
    }
    daemonState = first.value;
  }

  for (const t of tokens.slice(1)) {
    if (COMMAND_TAGS.has(t.def.tag)) fail('multiple commands specified');
    const group = OPTION_GROUP[t.def.tag];
    if (group) {
      if (seen.has(group)) fail(`multiple '${group}' options specified`);
      seen.add(group);
    }
    const v = t.value ?? '';
    switch (t.def.tag) {
      case 't':
      case 'u': {
        proto = t.def.tag === 't' ? 'tcp' : 'udp';
        const ap = parseAddrPort(v, proto);
        if (!ap) fail('illegal virtual server address[:port] specified');
        svcPort = ap.port ?? 0;
        key = { kind: 'addr', proto, vip: ap.addr, port: svcPort };
        break;
      }
      case 'f': {
        const mark = toNumber(v, 1, 0xffffffff);
        if (mark === undefined) fail(`invalid fwmark value \`${v}' specified`);
        key = { kind: 'fwmark', fwmark: mark };
        break;
      }
      case 's':
        scheduler = v;
        break;
      case 'p': {
        if (t.value === undefined) persistent = DEFAULT_PERSISTENCE;
        else {
          const n = toNumber(t.value, 1, MAX_TIMEOUT);
          if (n === undefined) fail(`invalid timeout value \`${t.value}' specified`);
          persistent = n;
        }
        break;
      }
      case 'M': {
        const mask = isIpv4(v) ? v : hostAddress(v);
        if (!mask) fail('illegal virtual server persistent mask specified');
        netmask = mask;
        break;
      }
      case 'r': {
        const ap = parseAddrPort(v, proto);
        if (!ap) fail('illegal real server address[:port] specified');
        server = ap;
        break;
      }
      case 'm':
        method = FwdMethod.Masq;
        break;
      case 'i':
        method = FwdMethod.Tunnel;
        break;
      case 'g':
        method = FwdMethod.Route;
        break;
      case 'w': {
        const n = toNumber(v, 0, 65535);
        if (n === undefined) fail('illegal weight specified');
        weight = n;
        break;
      }
      case 'x': {
        const n = toNumber(v, 0, 2147483647);
        if (n === undefined) fail('illegal u_threshold specified');
        upper = n;
        break;
      }
      case 'y': {
        const n = toNumber(v, 0, 2147483647);
        if (n === undefined) fail('illegal l_threshold specified');
        lower = n;
        break;
      }
      case 'syncid':
        if (toNumber(v, 0, 255) === undefined) fail('illegal syncid specified');
        break;
      case 'b':
        schedFlags = v.split(',').filter((f) => f !== '');
        break;
      case 'n':
        format.numeric = true;
        break;
      case 'stats':
        format.stats = true;
        break;
      case 'rate':
        format.rate = true;
        break;
      case 'thresholds':
        format.thresholds = true;
        break;
      case 'persistent-conn':
        format.persistentConn = true;
        break;
      case 'nosort':
        format.nosort = true;
        break;
      case 'exact':
        format.exact = true;
        break;
      default:
        break; // -c, --timeout, --daemon, --sort, --mcast-interface, -o: flags only
    }
  }

  let timeouts: TimeoutsView | undefined;
  if (command === 'set') {
    if (rest.length < 3) fail('--set option requires 3 timeout values');
    const [a, b, c] = rest.splice(0, 3).map((s) => {
      const n = toNumber(s, 0, MAX_TIMEOUT);
      if (n === undefined) fail(`invalid timeout value \`${s}' specified`);
      return n;
    });
    timeouts = { tcp: a!, tcpFin: b!, udp: c! };
  }
  if (rest.length > 0) fail(`unexpected argument ${rest[0]}`);

  // The commands × options table.
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

  if (
    command === 'list' &&
    ((['connection', 'timeout', 'daemon'].some((o) => seen.has(o)) &&
      ['stats', 'rate', 'thresholds'].some((o) => seen.has(o))) ||
      (['timeout', 'daemon'].some((o) => seen.has(o)) && seen.has('persistent-conn')))
  ) {
    fail('options conflicts in the list command');
  }
  const fmt: ListFormat = format;
  switch (command) {
    case 'add-service':
    case 'edit-service': {
      if (key!.kind === 'addr' && key!.port === 0 && persistent === undefined) {
        fail('Zero port specified for non-persistent service');
      }
      return {
        kind: command,
        spec: {
          key: key!,
          scheduler: scheduler ?? DEFAULT_SCHEDULER,
          ...(persistent !== undefined ? { persistence: { timeout: persistent, netmask } } : {}),
          ...(schedFlags.length > 0 ? { schedFlags } : {}),
        },
      };
    }
    case 'delete-service':
      return { kind: command, key: key! };
    case 'flush':
      return { kind: 'flush' };
    case 'add-server':
    case 'edit-server':
    case 'delete-server': {
      // DR and TUN keep the virtual port (ipvsadm: "dest port = service port").
      const keepVport =
        key!.kind === 'addr' && (method === FwdMethod.Route || method === FwdMethod.Tunnel);
      const port = keepVport ? svcPort : (server!.port ?? svcPort);
      if (command === 'delete-server')
        return { kind: command, key: key!, addr: server!.addr, port: server!.port ?? svcPort };
      const dest: DestSpec = {
        addr: server!.addr,
        port,
        method,
        weight,
        upperThreshold: upper,
        lowerThreshold: lower,
      };
      return { kind: command, key: key!, dest };
    }
    case 'list':
      if (seen.has('connection')) return { kind: 'list-connections', format: fmt };
      if (seen.has('timeout')) return { kind: 'list-timeout' };
      if (seen.has('daemon')) return { kind: 'list-daemon' };
      return key ? { kind: 'list', format: fmt, key } : { kind: 'list', format: fmt };
    case 'zero':
      return key ? { kind: 'zero', key } : { kind: 'zero' };
    case 'set':
      return { kind: 'set-timeout', timeouts: timeouts! };
    case 'save':
      return { kind: 'save', format: fmt };
    case 'restore':
      return { kind: 'restore' };
    case 'start-daemon':
    case 'stop-daemon':
      return { kind: command, state: daemonState! };
    default:
      throw new UsageError('', 255, true);
  }
}
