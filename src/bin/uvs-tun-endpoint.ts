#!/usr/bin/env node
// uvs-tun-endpoint — the real-server side of LVS-TUN where the kernel has no tunnel modules.
// Run it in the foreground on the real server, with the VIP on lo (as with tunl0).
import yargs from 'yargs';
import { VipFilter } from '../tun/decapsulate.js';
import { helpHeader } from '../doc/command-doc.js';
import { UVS_TUN_ENDPOINT_DOC } from '../doc/uvs-tun-endpoint-doc.js';
import { withOptions } from '../doc/yargs-options.js';
import { versionLine } from '../control/version.js';
import { TunEndpoint } from '../tun/tun-endpoint.js';

const log = (m: string): void => void process.stderr.write(`uvs-tun-endpoint: ${m}\n`);

async function main(): Promise<void> {
  const argv = withOptions(
    yargs(process.argv.slice(2)).scriptName('uvs-tun-endpoint').version(false),
    UVS_TUN_ENDPOINT_DOC.options,
  )
    .usage(helpHeader(UVS_TUN_ENDPOINT_DOC))
    .wrap(100)
    .help()
    .alias('help', 'h')
    .strict()
    .fail((msg) => {
      log(msg);
      process.exit(2);
    })
    .parseSync();
  if (argv['version'] === true) {
    process.stdout.write(versionLine('uvs-tun-endpoint'));
    return;
  }
  const vipArgs = (argv['vip'] as unknown[]).map(String);
  let vips: VipFilter;
  try {
    vips = VipFilter.parse(vipArgs);
  } catch (err) {
    log(`--vip: ${(err as Error).message}`);
    process.exit(2);
  }
  const endpoint = new TunEndpoint((argv['interface'] as unknown[]).map(String), vips);
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
      `decapsulating IPIP and IPv6-in-IP on ${served.join(', ')}${vips.empty ? '' : ` for ${vipArgs.join(', ')}`}`,
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
