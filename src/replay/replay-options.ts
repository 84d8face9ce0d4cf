// uvs-replay's command line: flags in, ReplayOptions out; errors name the flag and the value.
import yargs from 'yargs';
import { plainHelp, wrapText } from '../doc/man-page.js';
import { UVS_REPLAY_DOC } from '../doc/uvs-replay-doc.js';
import { AddressError, parseIpv4, parseMac } from '../packet/addr.js';
import type { ReplayInput, ReplayOptions } from './replay.js';
import type { Prefix, Route } from './replay-host.js';

export class ReplayUsageError extends Error {
  readonly code = 'E_USAGE';
}

function fail(msg: string): never {
  throw new ReplayUsageError(msg);
}

function parsePrefix(text: string, flag: string): Prefix {
  const [a, l] = text.split('/');
  const len = l === undefined ? 32 : Number(l);
  if (!Number.isInteger(len) || len < 0 || len > 32)
    fail(`${flag}: bad prefix length in "${text}"`);
  try {
    return { addr: parseIpv4(a ?? ''), len };
  } catch (err) {
    if (err instanceof AddressError) fail(`${flag}: ${err.message}`);
    throw err;
  }
}

function split(text: string, flag: string, shape: string): [string, string] {
  const k = text.indexOf('=');
  if (k <= 0) fail(`${flag} "${text}": expected ${shape}`);
  return [text.slice(0, k), text.slice(k + 1)];
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

function parseInterface(text: string): ReplayOptions['interfaces'][number] {
  const [name, rest] = split(text, '--interface', 'NAME=MAC[,IP/PREFIX…]');
  let mac: Buffer | undefined;
  const addrs: Prefix[] = [];
  for (const part of rest.split(',').filter((p) => p !== '')) {
    if (MAC_RE.test(part)) mac = parseMac(part);
    else addrs.push(parsePrefix(part, `--interface ${name}`));
  }
  return { name, ...(mac ? { mac } : {}), addrs };
}

function parseNeighbour(text: string): { ip: number; mac: Buffer } {
  const [ip, mac] = split(text, '--neighbour', 'IP=MAC');
  if (!MAC_RE.test(mac)) fail(`--neighbour ${text}: invalid MAC address "${mac}"`);
  return { ip: parsePrefix(ip, '--neighbour').addr, mac: parseMac(mac) };
}

function parseRoute(text: string): Route {
  const [dst, gw] = split(text, '--route', 'PREFIX=GATEWAY (or default=GATEWAY)');
  return {
    dst: dst === 'default' ? { addr: 0, len: 0 } : parsePrefix(dst, '--route'),
    gateway: parsePrefix(gw, '--route').addr,
  };
}

function parseInput(text: string): ReplayInput {
  const k = text.indexOf('=');
  return k > 0 ? { ifName: text.slice(0, k), file: text.slice(k + 1) } : { file: text };
}

/** A repeatable flag: yargs gives one value as a string, several as an array. */
const strings = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

export function parseReplayOptions(argv: readonly string[]): ReplayOptions | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const parsed = yargs([...argv])
    .scriptName('uvs-replay')
    .option('rules', { type: 'string', describe: 'the rules, as `uvsadm -S -n` prints them' })
    .option('use-file', {
      alias: 'f',
      type: 'string',
      describe: 'a keepalived.conf (its checkers are not run)',
    })
    .option('interface', {
      type: 'string',
      describe: 'NAME=MAC[,IP/PREFIX…] (repeatable)',
    })
    .option('neighbour', {
      alias: 'neighbor',
      type: 'string',
      describe: 'IP=MAC (repeatable)',
    })
    .option('route', {
      type: 'string',
      describe: 'PREFIX=GATEWAY or default=GATEWAY (repeatable)',
    })
    .version(false)
    .help(false)
    .strictOptions()
    .fail((msg) => fail(msg))
    .parseSync();
  const files = parsed._.map(String);
  if (files.length < 2)
    fail('give at least one input capture and the output file (IN.pcap OUT.pcap)');
  const rulesFile = parsed.rules;
  const keepalived = parsed['use-file'];
  if ((rulesFile === undefined) === (keepalived === undefined))
    fail('give either --rules RULES or -f keepalived.conf');
  return {
    rules:
      rulesFile !== undefined
        ? { kind: 'uvsadm', file: rulesFile }
        : { kind: 'keepalived', file: keepalived! },
    inputs: files.slice(0, -1).map(parseInput),
    output: files[files.length - 1]!,
    interfaces: strings(parsed.interface as string | string[] | undefined).map(parseInterface),
    neighbours: strings(parsed.neighbour as string | string[] | undefined).map(parseNeighbour),
    routes: strings(parsed.route as string | string[] | undefined).map(parseRoute),
  };
}

/** --help: the text of uvs-replay(1), from src/doc/uvs-replay-doc.ts. */
export function replayUsage(): string {
  const exit = UVS_REPLAY_DOC.sections?.find((x) => x.title === 'EXIT STATUS');
  return `${plainHelp(UVS_REPLAY_DOC)}\n${wrapText(`Exit status: ${exit?.paragraphs.join(' ') ?? ''}`, 100)}\n`;
}
