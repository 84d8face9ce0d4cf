// uvsd's command line. Thin: flags in, a typed options object out; errors name the flag.
import yargs from 'yargs';

export interface DaemonOptions {
  /** Interfaces to serve; empty = every interface of the namespace but lo, as ip_vs does. */
  readonly interfaces: readonly string[];
  readonly socket: string | undefined;
  readonly io: 'pcap';
  readonly connTableSize: number;
  /** keepalived.conf to run (keepalived's -f). */
  readonly configFile: string | undefined;
  readonly kernelGuard: boolean;
  readonly verbose: boolean;
  /** Where to serve Prometheus metrics ("host:port"), if anywhere. */
  readonly metrics: string | undefined;
}

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
      choices: ['pcap'],
      default: 'pcap',
      describe: 'capture/transmit backend',
    })
    .option('conn-table-size', {
      type: 'number',
      default: DEFAULT_CONN_TABLE_SIZE,
      describe: 'connections the table holds (a power of two, fixed at start)',
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
    io: 'pcap',
    connTableSize: size,
    configFile: parsed['use-file'],
    kernelGuard: parsed['kernel-guard'],
    verbose: parsed.verbose,
    metrics: parsed.metrics,
  };
}
