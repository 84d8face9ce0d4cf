#!/usr/bin/env node
// uvs-lab — builds, checks and removes the course's maquettes in network namespaces.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { Lab } from '../lab/lab.js';
import {
  drMaquette,
  KEEPALIVED_MAQUETTE,
  NAT_MAQUETTE,
  RS_METHODS,
  TUN_MAQUETTE,
  type Maquette,
  type RsMethod,
} from '../lab/maquette.js';
import { checkMaquette } from '../lab/maquette-check.js';
import { DR6_MAQUETTE, NAT6_MAQUETTE } from '../lab/maquette6.js';
import { checkMaquette6 } from '../lab/maquette6-check.js';
import { destroyByPrefixList, namespacesWithPrefix } from '../lab/topology.js';
import { serveDns } from '../lab/dns-server.js';
import { serveSmtp } from '../lab/smtp-server.js';
import { serveHttp, serveUdpEcho } from '../lab/web-server.js';

/** The lab's namespaces are uvs-client, uvs-director, uvs-s1, uvs-s2, uvs-sw (and uvs-router for DR). */
const LAB_PREFIX = 'uvs';
const LOG_DIR = '/run/uvs-lab';

const progress = (msg: string): void => void process.stderr.write(`uvs-lab: ${msg}\n`);

function labIsUp(): boolean {
  return namespacesWithPrefix(LAB_PREFIX).includes(`${LAB_PREFIX}-director`);
}

interface UpArgs {
  readonly check: boolean;
  readonly requests: number;
  readonly rebuild: boolean;
}

function upOptions<T>(y: Argv<T>) {
  return y
    .option('check', {
      type: 'boolean',
      default: false,
      describe: 'then request the VIP from the client and show uvsadm -Lnc / -Ln',
    })
    .option('requests', { type: 'number', default: 6, describe: 'requests made by --check' })
    .option('rebuild', {
      type: 'boolean',
      default: false,
      describe: 'remove a running maquette first',
    });
}

/** Which maquette is up (written when one is built). */
const MARKER = `${LOG_DIR}/maquette`;

function currentMaquette(): string | undefined {
  return labIsUp() && existsSync(MARKER) ? readFileSync(MARKER, 'utf8').trim() : undefined;
}

/** Builds `maquette` unless it is already up, then checks it if asked. */
async function up(maquette: Maquette, argv: UpArgs, check = checkMaquette): Promise<void> {
  const lab = new Lab(maquette, LAB_PREFIX, { detached: true, logDir: LOG_DIR, progress });
  const running = currentMaquette();
  if (
    argv.rebuild ||
    (running !== undefined && running !== maquette.description) ||
    (running === undefined && labIsUp())
  )
    down();
  if (!labIsUp()) {
    try {
      lab.build();
      if (maquette.keepalivedConf !== undefined) {
        mkdirSync(LOG_DIR, { recursive: true });
        const conf = `${LOG_DIR}/keepalived.conf`;
        writeFileSync(conf, maquette.keepalivedConf);
        progress(`uvsd -f ${conf}`);
        lab.startDirector(['-f', conf]);
      } else {
        lab.startDirector();
      }
      lab.configure();
    } catch (err) {
      progress(`failed: ${(err as Error).message}; removing the half-built maquette`);
      down();
      throw err;
    }
    mkdirSync(LOG_DIR, { recursive: true });
    writeFileSync(MARKER, maquette.description);
    process.stdout.write(lab.uvsadm(['-Ln']).stdout);
    progress(
      `maquette up: ip netns exec ${LAB_PREFIX}-director node dist/src/bin/uvsadm.js -Ln; logs in ${LOG_DIR}`,
    );
  } else {
    progress('maquette already up (use --rebuild to start over)');
  }
  if (argv.check) {
    const r = await check(lab, argv.requests);
    process.stdout.write(`${r.report}\n`);
    if (!r.ok) process.exitCode = 1;
  }
}

function down(): void {
  const list = namespacesWithPrefix(LAB_PREFIX);
  destroyByPrefixList(list);
  progress(list.length > 0 ? `removed ${list.join(', ')}` : 'nothing to remove');
}

async function main(): Promise<void> {
  await yargs(process.argv.slice(2))
    .scriptName('uvs-lab')
    .usage(
      "uvs-lab — the course's LVS maquettes in network namespaces\n\nUsage: uvs-lab <command> [options]",
    )
    .command(
      'nat',
      "build the LVS-NAT maquette (client, director with VIP 192.168.10.23, S1, S2), run uvsd and the course's uvsadm commands",
      (y) => upOptions(y),
      (argv) => up(NAT_MAQUETTE, argv),
    )
    .command(
      'dr',
      "build the LVS-DR maquette (director, S1, S2 on one LAN, VIP 192.168.20.23, client behind a router), with one of the course's three real-server solutions",
      (y) =>
        upOptions(y).option('rs-method', {
          choices: RS_METHODS,
          default: 'sysctl' as RsMethod,
          describe: 'how S1/S2 accept the VIP without answering ARP for it',
        }),
      (argv) => up(drMaquette(argv['rs-method']), argv),
    )
    .command(
      'keepalived',
      'build the NAT maquette with a sorry server and run it from a keepalived.conf (HTTP_GET on S1, TCP_CHECK on S2)',
      (y) => upOptions(y),
      (argv) => up(KEEPALIVED_MAQUETTE, argv),
    )
    .command(
      'tun',
      'build the LVS-TUN maquette (real servers on a routed subnet behind IPIP, uvs-tun-endpoint on each)',
      (y) => upOptions(y),
      (argv) => up(TUN_MAQUETTE, argv),
    )
    .command(
      'nat6',
      'build the LVS-NAT maquette in IPv6 (VIP 2001:db8:10::23); until uvsd forwards IPv6, --check asks each server by its address',
      (y) => upOptions(y),
      (argv) => up(NAT6_MAQUETTE, argv, checkMaquette6),
    )
    .command(
      'dr6',
      "build the LVS-DR maquette in IPv6 (VIP 2001:db8:20::23 on the servers' lo); until uvsd forwards IPv6, --check asks each server by its address",
      (y) => upOptions(y),
      (argv) => up(DR6_MAQUETTE, argv, checkMaquette6),
    )
    .command('down', 'remove every lab namespace and process', () => {}, down)
    .command(
      'status',
      'list the lab namespaces',
      () => {},
      () => {
        const list = namespacesWithPrefix(LAB_PREFIX);
        process.stdout.write(list.length > 0 ? `${list.join('\n')}\n` : 'no maquette is up\n');
      },
    )
    .command(
      'serve-http',
      "run a web server (used inside the maquette's real servers)",
      (y) =>
        y
          .option('port', { type: 'number', default: 80 })
          .option('text', { type: 'string', demandOption: true })
          .option('host', { type: 'string', default: '0.0.0.0' }),
      async (argv) => {
        await serveHttp(argv.port, argv.text, argv.host);
      },
    )
    .command(
      'serve-udp-echo',
      'run a UDP echo server that prefixes answers with its name',
      (y) =>
        y
          .option('port', { type: 'number', default: 7 })
          .option('name', { type: 'string', demandOption: true }),
      async (argv) => {
        await serveUdpEcho(argv.port, argv.name);
      },
    )
    .command(
      'serve-smtp',
      'run a minimal SMTP server (for SMTP_CHECK)',
      (y) =>
        y
          .option('port', { type: 'number', default: 25 })
          .option('hostname', { type: 'string', default: 'uvs-lab' }),
      async (argv) => {
        await serveSmtp(argv.port, argv.hostname);
      },
    )
    .command(
      'serve-dns',
      'run a minimal DNS server answering A records (for DNS_CHECK)',
      (y) =>
        y
          .option('port', { type: 'number', default: 53 })
          .option('record', { type: 'string', array: true, default: [], describe: 'NAME=ADDRESS' }),
      async (argv) => {
        const records = new Map(argv.record.map((r) => String(r).split('=') as [string, string]));
        await serveDns(argv.port, records);
      },
    )
    .demandCommand(1, 'give a command: nat, dr, tun, keepalived, nat6, dr6, down, status')
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
