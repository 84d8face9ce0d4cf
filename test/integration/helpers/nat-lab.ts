// Shared by the forwarding tests: the course's NAT maquette under unique namespace names,
// HTTP from the client, a capture in a namespace, and the daemon's counters.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { captureIn } from '../../../src/lab/capture.js';
import { Lab, type LabOptions } from '../../../src/lab/lab.js';
import { NAT_MAQUETTE } from '../../../src/lab/maquette.js';

let labs = 0;

/** A NAT maquette with namespaces named uvt<pid><n>-<host>; remember to destroy() it. */
export function natLab(opts: LabOptions = {}): Lab {
  labs++;
  return new Lab(NAT_MAQUETTE, `uvt${process.pid.toString(36)}${labs}`, opts);
}

/** `n` sequential GETs from the client; bodies trimmed, "FAIL" for failures. */
export function fetchPages(
  lab: Lab,
  n: number,
  url = `http://${NAT_MAQUETTE.vip}/`,
  timeoutS = 3,
): string[] {
  const pages: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = lab.curl('client', url, timeoutS);
    pages.push(r.code === 0 ? r.stdout.trim() : 'FAIL');
  }
  return pages;
}

/** Runs `uvsadm args` in the director; fails the test unless it exits 0. Its stdout. */
export function uvsadmOk(lab: Lab, args: readonly string[]): string {
  const r = lab.uvsadm(args);
  assert.equal(r.code, 0, `uvsadm ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** One GET from the client, sent from its address `addr`; the body trimmed, or "FAIL". */
export function pageFrom(lab: Lab, addr: string, url = `http://${NAT_MAQUETTE.vip}/`): string {
  const r = lab.run('client', 'curl', ['-sS', '--max-time', '3', '--interface', addr, url]);
  return r.code === 0 ? r.stdout.trim() : 'FAIL';
}

/** The length and SHA-256 of `body`, as the lab's /upload answers them. */
export const lengthAndSha256 = (body: Buffer): string =>
  `${body.length} ${createHash('sha256').update(body).digest('hex')}`;

/** POSTs `body` from the client to `url` (the lab's /upload); its answer, or "FAIL …". */
export function upload(lab: Lab, url: string, body: Buffer): string {
  const file = `/tmp/uvs-upload-${process.pid}`;
  writeFileSync(file, body);
  try {
    const r = lab.run('client', 'curl', [
      '-sS',
      '--max-time',
      '30',
      '--data-binary',
      `@${file}`,
      url,
    ]);
    return r.code === 0 ? r.stdout.trim() : `FAIL ${r.stderr}`;
  } finally {
    rmSync(file, { force: true });
  }
}

/** GETs `url` from the client into a file; the length and SHA-256 of what arrived, or "FAIL …". */
export function download(lab: Lab, url: string): string {
  const file = `/tmp/uvs-download-${process.pid}`;
  try {
    const r = lab.run('client', 'curl', ['-sS', '--max-time', '60', '-o', file, url]);
    return r.code === 0 ? lengthAndSha256(readFileSync(file)) : `FAIL ${r.stderr}`;
  } finally {
    rmSync(file, { force: true });
  }
}

export function count(list: readonly string[], item: string): number {
  return list.filter((x) => x === item).length;
}

const COUNTERS_SCRIPT = fileURLToPath(new URL('../fixtures/counters.js', import.meta.url));

/** The daemon's frame counters (engine and io). */
export function counters(lab: Lab): Record<string, number> {
  const r = lab.run('director', process.execPath, [COUNTERS_SCRIPT]);
  if (r.code !== 0) throw new Error(`counters: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, number>;
}

/** Captures on `host`'s `ifName` while `during` runs; tcpdump's lines (with MACs). */
export function capture(
  lab: Lab,
  host: string,
  ifName: string,
  filter: string,
  during: () => Promise<void> | void,
): Promise<string[]> {
  return captureIn(lab.ns(host), ifName, filter, during);
}

/**
 * How many TCP connections `host`'s stack has accepted so far (PassiveOpens of /proc/net/snmp,
 * which is per network namespace): counts the checks that reach a real server.
 */
export function tcpPassiveOpens(lab: Lab, host: string): number {
  const snmp = lab.run(host, 'cat', ['/proc/net/snmp']).stdout;
  const [names, values] = snmp.split('\n').filter((l) => l.startsWith('Tcp:'));
  const i = names?.split(' ').indexOf('PassiveOpens') ?? -1;
  const n = Number(values?.split(' ')[i]);
  if (i < 0 || !Number.isInteger(n)) throw new Error(`no Tcp PassiveOpens in ${host}:\n${snmp}`);
  return n;
}
