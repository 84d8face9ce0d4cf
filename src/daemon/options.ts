// uvsd's command line. Thin: flags in, a typed options object out; errors name the flag.
// The flags themselves, their help and the man page come from src/doc/uvsd-doc.ts.
import yargs from 'yargs';
import { helpHeader } from '../doc/command-doc.js';
import { UVSD_DOC } from '../doc/uvsd-doc.js';
import { withOptions } from '../doc/yargs-options.js';
import type { DefenseSettings } from '../engine/snapshot.js';
import { parseFacility } from './syslog.js';

// uvsd's numeric defaults are part of its description (--help and uvsd(8)).
export { DEFAULT_BUSY_POLL_US, DEFAULT_CONN_TABLE_SIZE, DEFAULT_WORKERS } from '../doc/uvsd-doc.js';

export interface DaemonOptions {
  /** Interfaces to serve; empty = every interface of the namespace but lo, as ip_vs does. */
  readonly interfaces: readonly string[];
  readonly socket: string | undefined;
  /** afpacket: worker threads on AF_PACKET rings (Linux); pcap: libpcap on the main thread. */
  readonly io: 'afpacket' | 'pcap';
  /** Forwarding workers (afpacket). */
  readonly workers: number;
  /** Busy-poll this long for the next frame before a worker sleeps in poll(2). */
  readonly busyPollUs: number;
  /** TPACKET_V2 (a slot per frame, handed over at once) or TPACKET_V3 (blocks). */
  readonly ring: 'v2' | 'v3';
  /** Send with PACKET_QDISC_BYPASS (tcpdump on the director then misses uvs's frames). */
  readonly qdiscBypass: boolean;
  readonly connTableSize: number;
  /** IPVS's SYN-flood defences, named after its sysctls (modes 0-3; amemthresh in free slots). */
  readonly defense: DefenseSettings;
  /** keepalived.conf to run (keepalived's -f). */
  readonly configFile: string | undefined;
  readonly kernelGuard: boolean;
  /** Where to serve Prometheus metrics ("host:port"), if anywhere. */
  readonly metrics: string | undefined;
  /** Where to serve the live web view ("host:port"), if anywhere. */
  readonly web: string | undefined;
  // keepalived's daemon conventions (issue 11): see daemon-conventions.ts.
  /** -t: check the configuration and exit. */
  readonly configTest: boolean;
  /** -v: print the version and exit. */
  readonly version: boolean;
  /** -p FILE. */
  readonly pidFile: string | undefined;
  /** -l: log to stderr even with -S. */
  readonly logConsole: boolean;
  /** -D (and --verbose): detailed log messages. */
  readonly logDetail: boolean;
  /** -S: syslog facility number. */
  readonly logFacility: number | undefined;
  readonly syslogSocket: string | undefined;
  /** The control socket's group (mode 0660), by name. */
  readonly socketGroup: string | undefined;
  /** Restore the saved rules at start (--no-restore: start empty). */
  readonly restore: boolean;
  /** Overrides the per-namespace state directory. */
  readonly stateDir: string | undefined;
}

export class OptionsError extends Error {
  readonly code = 'E_USAGE';
}

/** Default keepalived.conf of -t without -f, as keepalived's. */
export const KEEPALIVED_CONF = '/etc/keepalived/keepalived.conf';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function parseDaemonOptions(argv: readonly string[]): DaemonOptions {
  const parsed = withOptions(
    yargs([...argv])
      .scriptName('uvsd')
      .version(false),
    UVSD_DOC.options,
  )
    .usage(helpHeader(UVSD_DOC))
    .wrap(100)
    .help('help')
    .alias('help', 'h')
    .strict()
    .fail((msg) => {
      throw new OptionsError(msg);
    })
    .parseSync();
  const size = connTableSize(parsed['conn-table-size']);
  const facility = logFacility(str(parsed['log-facility']));
  const flag = (name: string): boolean => parsed[name] === true;
  return {
    interfaces: (parsed['interface'] as unknown[]).map(String),
    socket: str(parsed['socket']),
    io: parsed['io'] === 'pcap' ? 'pcap' : 'afpacket',
    workers: wholeNumber('--workers', parsed['workers'], 1, 16),
    busyPollUs: wholeNumber('--busy-poll-us', parsed['busy-poll-us'], 0, 1_000_000),
    ring: parsed['ring'] === 'v3' ? 'v3' : 'v2',
    qdiscBypass: parsed['qdisc-bypass'] === true,
    connTableSize: size,
    defense: {
      dropEntry: wholeNumber('--drop-entry', parsed['drop-entry'], 0, 3),
      dropPacket: wholeNumber('--drop-packet', parsed['drop-packet'], 0, 3),
      secureTcp: wholeNumber('--secure-tcp', parsed['secure-tcp'], 0, 3),
      amemthresh: wholeNumber('--amemthresh', parsed['amemthresh'] ?? size >> 4, 0, size),
      firstSynDrop: wholeNumber('--first-syn-drop', parsed['first-syn-drop'], 0, 2),
    },
    configFile: str(parsed['use-file']),
    kernelGuard: flag('kernel-guard'),
    metrics: str(parsed['metrics']),
    web: str(parsed['web']),
    configTest: flag('config-test'),
    version: flag('version'),
    pidFile: str(parsed['pid']),
    logConsole: flag('log-console'),
    logDetail: flag('log-detail'),
    logFacility: facility,
    syslogSocket: str(parsed['syslog-socket']),
    socketGroup: str(parsed['socket-group']),
    restore: flag('restore'),
    stateDir: str(parsed['state-dir']),
  };
}

/** --conn-table-size: a power of two from 16 to 2^24. */
function connTableSize(size: unknown): number {
  if (
    typeof size !== 'number' ||
    !Number.isInteger(size) ||
    size < 16 ||
    size > 1 << 24 ||
    (size & (size - 1)) !== 0
  ) {
    throw new OptionsError(
      `--conn-table-size must be a power of two from 16 to ${1 << 24}, not "${String(size)}"`,
    );
  }
  return size;
}

/** -S/--log-facility: a syslog facility's number or name (undefined: not asked for). */
function logFacility(name: string | undefined): number | undefined {
  if (name === undefined) return undefined;
  const facility = parseFacility(name);
  if (facility === undefined)
    throw new OptionsError(
      `-S/--log-facility: unknown facility "${name}" (0-7, local0-local7, daemon, user)`,
    );
  return facility;
}

function wholeNumber(flag: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new OptionsError(
      `${flag} must be a whole number from ${min} to ${max}, not "${String(v)}"`,
    );
  }
  return v;
}
