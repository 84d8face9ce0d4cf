// `uvsadm --trace [-t|-u VIP:PORT | -f MARK [-6]] [--count N] [--write PREFIX]`: a uvs command,
// not ipvsadm's, read apart from ipvsadm's options (which it does not mix with).
import type { ServiceKey } from '../engine/model.js';
import { toNumber, parseServiceAddress } from './address-arg.js';
import { fail } from './command.js';

export interface TraceCommand {
  readonly kind: 'trace';
  /** The service whose frames to show; every service's when absent. */
  readonly key?: ServiceKey;
  /** Stop after this many frames (default: until interrupted). */
  readonly count?: number;
  /** Write PREFIX-in.pcap and PREFIX-out.pcap. */
  readonly writePrefix?: string;
}

export const TRACE_USAGE = `Usage:
  uvsadm --trace [-t|-u service-address | -f fwmark [-6]] [--count N] [--write PREFIX]

Shows the frames of one virtual service (of every service without -t, -u or -f) as the
director received them and as it sent them, one line each, the fields it rewrote marked '*'
and a header it added marked '+', with the forwarding method, the real server and the
connection's state; a dropped frame says why. Ctrl-C stops.

  -6               with -f: the IPv6 firewall-mark service
  --count N        stop after N frames
  --write PREFIX   also write PREFIX-in.pcap (frames as received) and PREFIX-out.pcap (as sent)
  --socket PATH    uvsd's control socket
`;

/** True when the command line is a trace command. */
export function isTraceCommand(argv: readonly string[]): boolean {
  return argv.includes('--trace');
}

function serviceKey(flag: string, value: string): ServiceKey {
  if (flag === '-f') {
    const mark = toNumber(value, 1, 0xffffffff);
    if (mark === undefined) fail(`illegal fwmark specified: ${value}`);
    return { kind: 'fwmark', fwmark: mark };
  }
  const proto = flag === '-t' ? 'tcp' : 'udp';
  const a = parseServiceAddress(value, proto);
  if (!a) fail(`illegal virtual server address[:port] specified: ${value}`);
  if (a.port === undefined) fail(`--trace: ${value}: the service's port is missing`);
  return { kind: 'addr', proto, vip: a.addr, port: a.port };
}

/** As ipvsadm: -6 says that a firewall-mark service is IPv6's (and means nothing without -f). */
function ipv6Fwmark(key: ServiceKey | undefined): ServiceKey {
  if (key?.kind !== 'fwmark') fail('-6 used before -f');
  return { ...key, family: 'inet6' };
}

const LONG_FLAGS: Record<string, string> = {
  '--tcp-service': '-t',
  '--udp-service': '-u',
  '--fwmark-service': '-f',
  '--ipv6': '-6',
};

export function parseTraceArgs(argv: readonly string[]): TraceCommand | { kind: 'trace-help' } {
  let key: ServiceKey | undefined;
  let ipv6 = false;
  let count: number | undefined;
  let writePrefix: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let value: string | undefined;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    a = LONG_FLAGS[a] ?? a;
    const next = (): string => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined) fail(`${a}: missing argument`);
      return v;
    };
    switch (a) {
      case '--trace':
        break;
      case '-h':
      case '--help':
        return { kind: 'trace-help' };
      case '-t':
      case '-u':
      case '-f':
        if (key) fail("multiple 'service-address' options specified");
        key = serviceKey(a, next());
        break;
      case '-6':
        ipv6 = true;
        break;
      case '--count': {
        const v = next();
        count = toNumber(v, 1, Number.MAX_SAFE_INTEGER);
        if (count === undefined) fail(`--count: ${v}: not a positive whole number`);
        break;
      }
      case '--write':
        writePrefix = next();
        if (writePrefix === '') fail('--write: the prefix is empty');
        break;
      default:
        fail(`Illegal '${a}' option with the 'trace' command (see uvsadm --trace --help)`);
    }
  }
  if (ipv6) key = ipv6Fwmark(key);
  return {
    kind: 'trace',
    ...(key ? { key } : {}),
    ...(count !== undefined ? { count } : {}),
    ...(writePrefix !== undefined ? { writePrefix } : {}),
  };
}
