#!/usr/bin/env node
// uvs-tun-endpoint — the real-server side of LVS-TUN where the kernel has no ipip module.
// Run it in the foreground on the real server, with the VIP on lo (as with tunl0).
import yargs from 'yargs';
import { parseIpv4 } from '../packet/addr.js';
import { TunEndpoint } from '../tun/tun-endpoint.js';

const log = (m: string): void => void process.stderr.write(`uvs-tun-endpoint: ${m}\n`);

async function main(): Promise<void> {
  const argv = yargs(process.argv.slice(2))
    .scriptName('uvs-tun-endpoint')
    .usage(
      'uvs-tun-endpoint — receive LVS-TUN (IPIP) packets on a host without the ipip module\n\n' +
        'Usage: uvs-tun-endpoint [-i IF]... [--vip VIP]...\n\n' +
        'Takes IPIP packets addressed to this host off the wire, removes the outer header and hands\n' +
        'the inner packet to the local stack (through the veth pair uvstun0/uvstun1). Put the VIP on lo.',
    )
    .option('interface', {
      alias: 'i',
      type: 'string',
      array: true,
      default: [],
      describe: 'where IPIP arrives (default: all but lo)',
    })
    .option('vip', {
      type: 'string',
      array: true,
      default: [],
      describe: 'accept only inner packets to this address (repeatable)',
    })
    .version(false)
    .help()
    .alias('help', 'h')
    .strict()
    .fail((msg) => {
      log(msg);
      process.exit(2);
    })
    .parseSync();
  let vips: Set<number>;
  try {
    vips = new Set(argv.vip.map((v) => parseIpv4(String(v))));
  } catch (err) {
    log(`--vip: ${(err as Error).message}`);
    process.exit(2);
  }
  const endpoint = new TunEndpoint(argv.interface.map(String), vips);
  const stop = (): void => {
    endpoint.close();
    log(`stopped: ${JSON.stringify(endpoint.counters)}`);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('exit', () => endpoint.close());
  try {
    const served = await endpoint.start();
    log(
      `decapsulating IPIP on ${served.join(', ')}${vips.size > 0 ? ` for ${argv.vip.join(', ')}` : ''}`,
    );
  } catch (err) {
    endpoint.close();
    throw err;
  }
}

main().catch((err: Error) => {
  log(err.message);
  process.exit(1);
});
