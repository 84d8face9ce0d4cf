// What each ipvsadm option does to the command being read (ipvsadm's parse_options switch),
// one small handler per option, applied in command-line order: the order matters, as in
// ipvsadm (-M reads a prefix length only once the service is known to be IPv6; -6 needs -f).
import { FwdMethod, type ServiceKey } from '../engine/model.js';
import { isIpv4, isIpv6 } from '../packet/addr.js';
import {
  parseIpv4Netmask,
  parseIpv6PrefixLen,
  parseServiceAddress,
  toNumber,
} from './address-arg.js';
import type { AddrPort } from './address-arg.js';
import { fail, type Fwmark6Key, type ListFormat } from './command.js';
import { COMMAND_TAGS, OPTION_GROUP } from './option-table.js';
import type { Token } from './tokenize.js';

/** ipvsadm's MAX_TIMEOUT (86400 × 31). */
export const MAX_TIMEOUT = 86400 * 31;
const DEFAULT_PERSISTENCE = 300;
/** Persistence granularity by default: one client address (/32, or /128 for IPv6). */
export const IPV4_HOST_MASK = '255.255.255.255';
export const IPV6_HOST_PREFIX = '128';

export interface ParseState {
  /** Option groups given so far (ipvsadm's options bit set). */
  readonly seen: Set<string>;
  proto: 'tcp' | 'udp';
  key: ServiceKey | undefined;
  /** The service's address family (ipvsadm's ce->svc.af). */
  family: 4 | 6;
  svcPort: number;
  scheduler: string | undefined;
  persistent: number | undefined;
  /** Dotted quad for IPv4 services, prefix length (decimal) for IPv6 ones. */
  netmask: string;
  server: AddrPort | undefined;
  method: FwdMethod;
  weight: number;
  upper: number;
  lower: number;
  schedFlags: string[];
  readonly format: { -readonly [K in keyof ListFormat]: ListFormat[K] };
  /** --start-daemon's settings (0 and '' for the defaults). */
  readonly daemon: {
    mcastIfn: string;
    syncId: number;
    maxlen: number;
    group: string;
    port: number;
    ttl: number;
  };
}

export function newParseState(): ParseState {
  return {
    seen: new Set(),
    proto: 'tcp',
    key: undefined,
    family: 4,
    svcPort: 0,
    scheduler: undefined,
    persistent: undefined,
    netmask: IPV4_HOST_MASK,
    server: undefined,
    method: FwdMethod.Route,
    weight: 1,
    upper: 0,
    lower: 0,
    schedFlags: [],
    format: {
      numeric: false,
      stats: false,
      rate: false,
      thresholds: false,
      persistentConn: false,
      exact: false,
      nosort: false,
    },
    daemon: { mcastIfn: '', syncId: 0, maxlen: 0, group: '', port: 0, ttl: 0 },
  };
}

type Handler = (s: ParseState, value: string, t: Token) => void;

function serviceAddress(s: ParseState, v: string, t: Token): void {
  s.proto = t.def.tag === 't' ? 'tcp' : 'udp';
  const ap = parseServiceAddress(v, s.proto);
  if (!ap) fail('illegal virtual server address[:port] specified');
  s.svcPort = ap.port ?? 0;
  s.family = ap.family;
  if (ap.family === 6) s.netmask = IPV6_HOST_PREFIX;
  s.key = { kind: 'addr', proto: s.proto, vip: ap.addr, port: s.svcPort };
}

function fwmark(s: ParseState, v: string): void {
  const mark = toNumber(v, 1, 0xffffffff);
  if (mark === undefined) fail(`invalid fwmark value \`${v}' specified`);
  s.family = 4;
  s.key = { kind: 'fwmark', fwmark: mark };
}

function ipv6Fwmark(s: ParseState): void {
  // ipvsadm's own message ends with a newline before fail() adds another.
  if (s.key?.kind !== 'fwmark') fail('-6 used before -f\n');
  s.family = 6;
  s.netmask = IPV6_HOST_PREFIX;
  const key: Fwmark6Key = { ...s.key, family: 'inet6' };
  s.key = key;
}

function persistent(s: ParseState, _v: string, t: Token): void {
  if (t.value === undefined) {
    s.persistent = DEFAULT_PERSISTENCE;
    return;
  }
  const n = toNumber(t.value, 1, MAX_TIMEOUT);
  if (n === undefined) fail(`invalid timeout value \`${t.value}' specified`);
  s.persistent = n;
}

function netmask(s: ParseState, v: string): void {
  if (s.family === 6) {
    const len = parseIpv6PrefixLen(v);
    if (len === undefined) fail('illegal ipv6 netmask specified');
    s.netmask = String(len);
    return;
  }
  const mask = parseIpv4Netmask(v);
  if (!mask) fail('illegal virtual server persistent mask specified');
  s.netmask = mask;
}

function realServer(s: ParseState, v: string): void {
  const ap = parseServiceAddress(v, s.proto);
  if (!ap) fail('illegal real server address[:port] specified');
  s.server = ap;
}

/** A number option in [min, max] stored by `set`, failing with `message`. */
function bounded(
  min: number,
  max: number,
  message: string,
  set: (s: ParseState, n: number) => void,
): Handler {
  return (s, v) => {
    const n = toNumber(v, min, max);
    if (n === undefined) fail(message);
    set(s, n);
  };
}

/** --mcast-group: an IPv4 (224/4) or IPv6 (ff00::/8) multicast address, as ipvsadm checks it. */
function mcastGroup(s: ParseState, v: string): void {
  if (isIpv6(v)) {
    if (!/^ff/i.test(v)) fail(`invalid IPv6 mcast-group \`${v}'`);
  } else if (!isIpv4(v) || Number(v.split('.')[0]) < 224 || Number(v.split('.')[0]) > 239) {
    fail(`invalid IPv4 mcast-group \`${v}'`);
  }
  s.daemon.group = v;
}

function formatFlag(flag: keyof ListFormat): Handler {
  return (s) => {
    s.format[flag] = true;
  };
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  t: serviceAddress,
  u: serviceAddress,
  f: fwmark,
  '6': ipv6Fwmark,
  s: (s, v) => (s.scheduler = v),
  p: persistent,
  M: netmask,
  r: realServer,
  m: (s) => (s.method = FwdMethod.Masq),
  i: (s) => (s.method = FwdMethod.Tunnel),
  g: (s) => (s.method = FwdMethod.Route),
  w: bounded(0, 65535, 'illegal weight specified', (s, n) => (s.weight = n)),
  x: bounded(0, 2147483647, 'illegal u_threshold specified', (s, n) => (s.upper = n)),
  y: bounded(0, 2147483647, 'illegal l_threshold specified', (s, n) => (s.lower = n)),
  syncid: bounded(0, 255, 'illegal syncid specified', (s, n) => (s.daemon.syncId = n)),
  // IP_VS_IFNAME_MAXLEN − 1 characters, as ipvsadm's strncpy.
  'mcast-interface': (s, v) => (s.daemon.mcastIfn = v.slice(0, 15)),
  'mcast-group': mcastGroup,
  'mcast-port': bounded(1, 65535, 'illegal mcast-port specified', (s, n) => (s.daemon.port = n)),
  'mcast-ttl': bounded(1, 255, 'illegal mcast-ttl specified', (s, n) => (s.daemon.ttl = n)),
  'sync-maxlen': bounded(1, 65535 - 20 - 8, 'illegal sync-maxlen specified', (s, n) => {
    s.daemon.maxlen = n;
  }),
  b: (s, v) => (s.schedFlags = v.split(',').filter((f) => f !== '')),
  n: formatFlag('numeric'),
  stats: formatFlag('stats'),
  rate: formatFlag('rate'),
  thresholds: formatFlag('thresholds'),
  'persistent-conn': formatFlag('persistentConn'),
  nosort: formatFlag('nosort'),
  exact: formatFlag('exact'),
  // -c, --timeout, --daemon, --sort, -o: their group is all they set.
};

/** Applies one option (not the command) to the state. */
export function applyOption(s: ParseState, t: Token): void {
  if (COMMAND_TAGS.has(t.def.tag)) fail('multiple commands specified');
  const group = OPTION_GROUP[t.def.tag];
  if (group) {
    if (s.seen.has(group)) fail(`multiple '${group}' options specified`);
    s.seen.add(group);
  }
  HANDLERS[t.def.tag]?.(s, t.value ?? '', t);
}
