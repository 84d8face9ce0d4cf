// uvsd's command line. Thin: flags in, a typed options object out; errors name the flag.
import yargs from 'yargs';
import type { DefenseSettings } from '../engine/snapshot.js';

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
  readonly verbose: boolean;
  /** Where to serve Prometheus metrics ("host:port"), if anywhere. */
  readonly metrics: string | undefined;
  /** Where to serve the live web view ("host:port"), if anywhere. */
  readonly web: string | undefined;
}

/** Defaults chosen from `npm run bench` on a 2-core machine: see README, "Fast path". */
export const DEFAULT_WORKERS = 1;
export const DEFAULT_BUSY_POLL_US = 50;

/** 2^18 connections: about 27 MiB of shared memory, used as the table fills. */
export const DEFAULT_CONN_TABLE_SIZE = 1 << 18;

export class OptionsError extends Error {
  readonly code = 'E_USAGE';
}

export function parseDaemonOptions(argv: readonly string[]): DaemonOptions {
  const parsed = yargs([...argv])
    .scriptName('uvsd')
    .usage(
      'uvsd — the uvs director daemon (userspace IPVS).\n\n' +
        'Usage: uvsd [options]\n\n' +
        'Serves every interface of its network namespace but lo (or those given with -i),\n' +
        'forwards the frames of the virtual services configured with uvsadm, and answers\n' +
        'uvsadm on a control socket that belongs to the network namespace.',
    )
    .option('interface', {
      alias: 'i',
      type: 'string',
      array: true,
      default: [],
      describe: 'serve only this interface (repeatable)',
    })
    .option('use-file', {
      alias: 'f',
      type: 'string',
      describe: 'run a keepalived.conf (virtual servers, checkers)',
    })
    .option('socket', {
      type: 'string',
      describe: 'control socket path (default: /run/uvs/<netns inode>.sock)',
    })
    .option('io', {
      type: 'string',
      choices: ['afpacket', 'pcap'],
      default: 'afpacket',
      describe: 'capture/transmit backend: AF_PACKET rings in worker threads, or libpcap',
    })
    .option('workers', {
      type: 'number',
      default: DEFAULT_WORKERS,
      describe: 'forwarding worker threads (afpacket)',
    })
    .option('busy-poll-us', {
      type: 'number',
      default: DEFAULT_BUSY_POLL_US,
      describe: 'µs a worker keeps polling its rings after the last frame before it sleeps',
    })
    .option('qdisc-bypass', {
      type: 'boolean',
      default: false,
      describe: "send past the qdisc layer: faster, but the director's tcpdump no longer sees it",
    })
    .option('ring', {
      type: 'string',
      choices: ['v2', 'v3'],
      default: 'v2',
      describe: 'receive ring: TPACKET_V2 (low latency) or TPACKET_V3 (blocks)',
    })
    .option('conn-table-size', {
      type: 'number',
      default: DEFAULT_CONN_TABLE_SIZE,
      describe: 'connections the table holds (a power of two, fixed at start)',
    })
    .option('drop-entry', {
      type: 'number',
      default: 1,
      describe:
        'drop half-open and idle entries when the table is short (0 off, 1 auto, 2 now, 3 always)',
    })
    .option('drop-packet', {
      type: 'number',
      default: 0,
      describe: 'drop new connections at a rate when the table is short (0-3, as the sysctl)',
    })
    .option('secure-tcp', {
      type: 'number',
      default: 0,
      describe: 'stricter TCP state table when the table is short (0-3, as the sysctl)',
    })
    .option('amemthresh', {
      type: 'number',
      describe:
        'free table slots below which the defences apply (default: a sixteenth of the table)',
    })
    .option('kernel-guard', {
      type: 'boolean',
      default: true,
      describe: 'install the nftables guard (--no-kernel-guard to skip)',
    })
    .option('metrics', {
      type: 'string',
      describe: 'serve Prometheus metrics on HOST:PORT (GET /metrics)',
    })
    .option('web', {
      type: 'string',
      describe: 'serve the live web view of the director on HOST:PORT',
    })
    .option('verbose', {
      alias: 'v',
      type: 'boolean',
      default: false,
      describe: 'log control-plane events',
    })
    .version(false)
    .help('help')
    .alias('help', 'h')
    .strict()
    .fail((msg) => {
      throw new OptionsError(msg);
    })
    .parseSync();
  const size = parsed['conn-table-size'];
  if (!Number.isInteger(size) || size < 16 || size > 1 << 24 || (size & (size - 1)) !== 0) {
    throw new OptionsError(
      `--conn-table-size must be a power of two from 16 to ${1 << 24}, not "${size}"`,
    );
  }
  return {
    interfaces: parsed.interface.map(String),
    socket: parsed.socket,
    io: parsed.io === 'pcap' ? 'pcap' : 'afpacket',
    workers: wholeNumber('--workers', parsed.workers, 1, 16),
    busyPollUs: wholeNumber('--busy-poll-us', parsed['busy-poll-us'], 0, 1_000_000),
    ring: parsed.ring === 'v3' ? 'v3' : 'v2',
    qdiscBypass: parsed['qdisc-bypass'],
    connTableSize: size,
    defense: {
      dropEntry: wholeNumber('--drop-entry', parsed['drop-entry'], 0, 3),
      dropPacket: wholeNumber('--drop-packet', parsed['drop-packet'], 0, 3),
      secureTcp: wholeNumber('--secure-tcp', parsed['secure-tcp'], 0, 3),
      amemthresh: wholeNumber('--amemthresh', parsed.amemthresh ?? size >> 4, 0, size),
    },
    configFile: parsed['use-file'],
    kernelGuard: parsed['kernel-guard'],
    verbose: parsed.verbose,
    metrics: parsed.metrics,
    web: parsed.web,
  };
}

function wholeNumber(flag: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new OptionsError(`${flag} must be a whole number from ${min} to ${max}, not "${v}"`);
  }
  return v;
}
