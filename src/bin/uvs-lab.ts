#!/usr/bin/env node
// uvs-lab — builds, checks and removes the course's maquettes in network namespaces.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { versionLine } from '../control/version.js';
import { helpHeader } from '../doc/command-doc.js';
import {
  LAB_DR_OPTION,
  LAB_PREFIX_OPTION,
  LAB_UP_OPTIONS,
  labCommand,
  UVS_LAB_DOC,
} from '../doc/uvs-lab-doc.js';
import { Lab } from '../lab/lab.js';
import { labStatus } from '../lab/lab-status.js';
import { RS_METHODS, type Maquette, type RsMethod } from '../lab/maquette.js';
import { checkMaquette } from '../lab/maquette-check.js';
import { MAQUETTES, maquetteByName } from '../lab/maquette-registry.js';
import { appendStamped, runStamped } from '../lab/timestamped-log.js';
import { destroyByPrefixList, namespacesWithPrefix } from '../lab/topology.js';
import { serveDns } from '../lab/dns-server.js';
import { serveSmtp } from '../lab/smtp-server.js';
import { serveHttp, serveUdpEcho } from '../lab/web-server.js';
import { syncStatusText } from '../lab/ha-check.js';
import { upHa } from '../lab/ha-up.js';

/** The lab's namespaces are uvs-client, uvs-director, uvs-s1, uvs-s2, uvs-sw (and uvs-router for DR). */
let LAB_PREFIX = 'uvs';
/** /run/uvs-lab for the default prefix: logs, the keepalived.conf, which maquette is up. */
let LOG_DIR = '/run/uvs-lab';
let MARKER = `${LOG_DIR}/maquette`;

/** The log of the maquette being built, once known: progress lines go there too, stamped. */
let labLog: string | undefined;

const progress = (msg: string): void => {
  process.stderr.write(`uvs-lab: ${msg}\n`);
  if (labLog) appendStamped(labLog, 'uvs-lab', msg);
};

function labIsUp(): boolean {
  // uvs-director, or the pair uvs-director1/uvs-director2 of `ha`.
  return namespacesWithPrefix(LAB_PREFIX).some((n) => n.startsWith(`${LAB_PREFIX}-director`));
}

interface UpArgs {
  readonly check: boolean;
  readonly requests: number;
  readonly rebuild: boolean;
}

/** What --help and uvs-lab(1) say of a maquette command's option (src/doc/uvs-lab-doc.ts). */
function upDescribe(long: string): string {
  return LAB_UP_OPTIONS.find((o) => o.long === long)?.describe ?? long;
}

function upOptions<T>(y: Argv<T>) {
  return y
    .option('check', { type: 'boolean', default: false, describe: upDescribe('check') })
    .option('requests', { type: 'number', default: 6, describe: upDescribe('requests') })
    .option('rebuild', { type: 'boolean', default: false, describe: upDescribe('rebuild') });
}

/** MARKER: which maquette is up (written when one is built): its description, then its name. */

function currentMaquette(): { description: string; name: string } | undefined {
  if (!labIsUp() || !existsSync(MARKER)) return undefined;
  const [description = '', name = ''] = readFileSync(MARKER, 'utf8').split('\n');
  return { description, name };
}

/** Builds `maquette` unless it is already up, then checks it if asked. */
async function up(maquette: Maquette, argv: UpArgs, check = checkMaquette): Promise<void> {
  const lab = new Lab(maquette, LAB_PREFIX, { detached: true, logDir: LOG_DIR, progress });
  mkdirSync(LOG_DIR, { recursive: true });
  labLog = lab.logFile;
  const running = currentMaquette()?.description;
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
    writeFileSync(MARKER, `${maquette.description}\n${maquette.name}\n`);
    process.stdout.write(lab.uvsadm(['-Ln']).stdout);
    progress(
      `maquette up: ip netns exec ${LAB_PREFIX}-director node dist/src/bin/uvsadm.js -Ln; log in ${lab.logFile}; uvs-lab status`,
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

function status(): void {
  const list = namespacesWithPrefix(LAB_PREFIX);
  const running = currentMaquette();
  if (list.length === 0) {
    process.stdout.write('no maquette is up\n');
    return;
  }
  const maquette = running && maquetteByName(running.name);
  if (!maquette) {
    process.stdout.write(`lab namespaces without a known maquette:\n${list.join('\n')}\n`);
    return;
  }
  const lab = new Lab(maquette, LAB_PREFIX, { detached: true, logDir: LOG_DIR });
  process.stdout.write(labStatus(lab, list, running.description));
}

function down(): void {
  const list = namespacesWithPrefix(LAB_PREFIX);
  destroyByPrefixList(list);
  progress(list.length > 0 ? `removed ${list.join(', ')}` : 'nothing to remove');
}

/** One command per maquette of the registry, and `ha` (the pair of directors). */
function maquetteCommands<T>(y: Argv<T>): Argv<T> {
  return y
    .command(
      MAQUETTES.map((e) => ({
        command: e.command,
        describe: e.summary,
        builder: (b: Argv) =>
          e.takesRsMethod
            ? upOptions(b).option('rs-method', {
                choices: RS_METHODS,
                default: 'sysctl',
                describe: LAB_DR_OPTION.describe,
              })
            : upOptions(b),
        handler: (argv: UpArgs & { 'rs-method'?: RsMethod }) =>
          up(e.make({ rsMethod: argv['rs-method'] ?? 'sysctl' }), argv, e.check),
      })),
    )
    .command(
      'ha',
      labCommand('ha'),
      (b) => upOptions(b),
      (argv) =>
        upHa(argv, {
          prefix: LAB_PREFIX,
          logDir: LOG_DIR,
          progress,
          running: () => currentMaquette()?.description,
          anyUp: labIsUp,
          down,
          markUp: (d) => {
            mkdirSync(LOG_DIR, { recursive: true });
            writeFileSync(MARKER, `${d}\nha\n`);
          },
        }),
    );
}

/** What the maquettes' hosts run: web, UDP echo, SMTP and DNS servers. */
function serverCommands<T>(y: Argv<T>): Argv<T> {
  return y
    .command(
      'serve-http',
      labCommand('serve-http'),
      (b) =>
        b
          .option('port', { type: 'number', default: 80 })
          .option('text', { type: 'string', demandOption: true })
          .option('host', { type: 'string', default: '0.0.0.0' }),
      async (argv) => {
        await serveHttp(argv.port, argv.text, argv.host);
      },
    )
    .command(
      'serve-udp-echo',
      labCommand('serve-udp-echo'),
      (b) =>
        b
          .option('port', { type: 'number', default: 7 })
          .option('name', { type: 'string', demandOption: true }),
      async (argv) => {
        await serveUdpEcho(argv.port, argv.name);
      },
    )
    .command(
      'serve-smtp',
      labCommand('serve-smtp'),
      (b) =>
        b
          .option('port', { type: 'number', default: 25 })
          .option('hostname', { type: 'string', default: 'uvs-lab' }),
      async (argv) => {
        await serveSmtp(argv.port, argv.hostname);
      },
    )
    .command(
      'serve-dns',
      labCommand('serve-dns'),
      (b) =>
        b
          .option('port', { type: 'number', default: 53 })
          .option('record', { type: 'string', array: true, default: [], describe: 'NAME=ADDRESS' }),
      async (argv) => {
        const records = new Map(argv.record.map((r) => String(r).split('=') as [string, string]));
        await serveDns(argv.port, records);
      },
    );
}

/** down, status, and what the lab runs itself (hidden: sync-status, log-run). */
function labCommands<T>(y: Argv<T>): Argv<T> {
  return y
    .command('down', labCommand('down'), () => {}, down)
    .command(
      'status',
      labCommand('status'),
      () => {},
      () => status(),
    )
    .command(
      'sync-status',
      false, // internal: run inside a director's namespace by the ha check
      () => {},
      async () => {
        process.stdout.write(await syncStatusText());
      },
    )
    .command(
      'log-run',
      false, // internal: runs a lab process, its lines stamped into the maquette's log
      (b) =>
        b
          .option('file', { type: 'string', demandOption: true })
          .option('tag', { type: 'string', demandOption: true }),
      async (argv) => {
        const [cmd, ...args] = argv._.slice(1).map(String);
        if (!cmd) throw new Error('log-run: no command after --');
        process.exitCode = await runStamped(argv.file, argv.tag, cmd, args);
      },
    );
}

async function main(): Promise<void> {
  const y = yargs(process.argv.slice(2))
    .scriptName('uvs-lab')
    .usage(helpHeader(UVS_LAB_DOC))
    .version('version', 'print the version and exit', versionLine('uvs-lab').trimEnd())
    .option('prefix', {
      type: 'string',
      default: 'uvs',
      global: true,
      describe: LAB_PREFIX_OPTION.describe,
    })
    .middleware((argv) => {
      LAB_PREFIX = argv.prefix;
      LOG_DIR = `/run/${argv.prefix}-lab`;
      MARKER = `${LOG_DIR}/maquette`;
    });
  await serverCommands(labCommands(maquetteCommands(y)))
    .demandCommand(
      1,
      `give a command: ${MAQUETTES.map((e) => e.command).join(', ')}, ha, down, status`,
    )
    .strict()
    .help()
    .fail((msg, err) => {
      // yargs passes no error for a wrong command line, whatever its types say.
      const e = err as Error | undefined;
      process.stderr.write(`uvs-lab: ${e?.message ?? msg}\n`);
      process.exit(e ? 1 : 2);
    })
    .parseAsync();
}

main().catch((err: Error) => {
  process.stderr.write(`uvs-lab: ${err.message}\n`);
  process.exit(1);
});
