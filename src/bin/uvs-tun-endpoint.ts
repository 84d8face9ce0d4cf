#!/usr/bin/env node
// uvs-tun-endpoint — the real-server side of LVS-TUN where the kernel has no tunnel modules.
// Run it in the foreground on the real server, with the VIP on lo (as with tunl0).
import yargs from 'yargs';
import { VipFilter } from '../tun/decapsulate.js';
import { TunEndpoint } from '../tun/tun-endpoint.js';

const log = (m: string): void => void process.stderr.write(`uvs-tun-endpoint: ${m}\n`);

async function main(): Promise<void> {
  const argv = yargs(process.argv.slice(2))
    .scriptName('uvs-tun-endpoint')
    .usage(
      'uvs-tun-endpoint — receive LVS-TUN packets on a host without the ipip/ip6_tunnel modules\n\n' +
        'Usage: uvs-tun-endpoint [-i IF]... [--vip VIP]...\n\n' +
        'Takes IPIP and IPv6-in-IP packets (next header 41) addressed to this host, under an IPv4 or\n' +
        'an IPv6 outer header, off the wire, removes the outer header and hands the inner packet to\n' +
        'the local stack (through the veth pair uvstun0/uvstun1). Put the VIP on lo.',
    )
    .option('interface', {
      alias: 'i',
      type: 'string',
      array: true,
      default: [],
      describe: 'where tunnel packets arrive (default: all but lo)',
    })
    .option('vip', {
      type: 'string',
      array: true,
      default: [],
      describe: 'accept only inner packets to this IPv4 or IPv6 address (repeatable)',
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
  let vips: VipFilter;
  try {
    vips = VipFilter.parse(argv.vip.map(String));
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
      `decapsulating IPIP and IPv6-in-IP on ${served.join(', ')}${vips.empty ? '' : ` for ${argv.vip.join(', ')}`}`,
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
