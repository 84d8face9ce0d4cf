#!/usr/bin/env node
// uvs-lab — builds, checks and removes the course's maquettes in network namespaces.
import yargs from 'yargs';
import { Lab } from '../lab/lab.js';
import { MAQUETTES } from '../lab/maquette.js';
import { checkNat } from '../lab/nat-check.js';
import { destroyByPrefixList, namespacesWithPrefix } from '../lab/topology.js';
import { serveHttp, serveUdpEcho } from '../lab/web-server.js';

/** The lab's namespaces are uvs-client, uvs-director, uvs-s1, uvs-s2 and uvs-sw. */
const LAB_PREFIX = 'uvs';
const LOG_DIR = '/run/uvs-lab';

const progress = (msg: string): void => void process.stderr.write(`uvs-lab: ${msg}\n`);

function labIsUp(): boolean {
  return namespacesWithPrefix(LAB_PREFIX).includes(`${LAB_PREFIX}-director`);
}

function down(): void {
  const list = namespacesWithPrefix(LAB_PREFIX);
  destroyByPrefixList(list);
  progress(list.length > 0 ? `removed ${list.join(', ')}` : 'nothing to remove');
}

async function main(): Promise<void> {
  await yargs(process.argv.slice(2))
    .scriptName('uvs-lab')
    .usage('uvs-lab — the course\'s LVS maquettes in network namespaces\n\nUsage: uvs-lab <command> [options]')
    .command(
      'nat',
      'build the LVS-NAT maquette (client, director with VIP 192.168.10.23, S1, S2), run uvsd and the course\'s uvsadm commands',
      (y) =>
        y
          .option('check', { type: 'boolean', default: false, describe: 'then request the VIP from the client and show uvsadm -Lnc / -Ln' })
          .option('requests', { type: 'number', default: 6, describe: 'requests made by --check' })
          .option('rebuild', { type: 'boolean', default: false, describe: 'remove a running maquette first' }),
      (argv) => {
        const maquette = MAQUETTES['nat']!;
        const lab = new Lab(maquette, LAB_PREFIX, { detached: true, logDir: LOG_DIR, progress });
        if (argv.rebuild && labIsUp()) down();
        if (!labIsUp()) {
          down();
          try {
            lab.build();
            lab.startDirector();
            lab.configure();
          } catch (err) {
            progress(`failed: ${(err as Error).message}; removing the half-built maquette`);
            down();
            throw err;
          }
          process.stdout.write(lab.uvsadm(['-Ln']).stdout);
          progress(`maquette up: ip netns exec uvs-director node dist/src/bin/uvsadm.js -Ln; logs in ${LOG_DIR}`);
        } else {
          progress('maquette already up (use --rebuild to start over)');
        }
        if (argv.check) {
          const r = checkNat(lab, argv.requests);
          process.stdout.write(`${r.report}\n`);
          if (!r.ok) process.exitCode = 1;
        }
      },
    )
    .command('down', 'remove every lab namespace and process', () => {}, down)
    .command('status', 'list the lab namespaces', () => {}, () => {
      const list = namespacesWithPrefix(LAB_PREFIX);
      process.stdout.write(list.length > 0 ? `${list.join('\n')}\n` : 'no maquette is up\n');
    })
    .command(
      'serve-http',
      'run a web server (used inside the maquette\'s real servers)',
      (y) => y.option('port', { type: 'number', default: 80 }).option('text', { type: 'string', demandOption: true }).option('host', { type: 'string', default: '0.0.0.0' }),
      async (argv) => {
        await serveHttp(argv.port, argv.text, argv.host);
      },
    )
    .command(
      'serve-udp-echo',
      'run a UDP echo server that prefixes answers with its name',
      (y) => y.option('port', { type: 'number', default: 7 }).option('name', { type: 'string', demandOption: true }),
      async (argv) => {
        await serveUdpEcho(argv.port, argv.name);
      },
    )
    .demandCommand(1, 'give a command: nat, down, status')
    .strict()
    .help()
    .fail((msg, err) => {
      process.stderr.write(`uvs-lab: ${err?.message ?? msg}\n`);
      process.exit(err ? 1 : 2);
    })
    .parseAsync();
}

main().catch((err: Error) => {
  process.stderr.write(`uvs-lab: ${err.message}\n`);
  process.exit(1);
});
