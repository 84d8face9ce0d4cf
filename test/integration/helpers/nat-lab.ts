// Shared by the forwarding tests: the course's NAT maquette under unique namespace names,
// HTTP from the client, a capture in a namespace, and the daemon's counters.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from '../../../src/lab/lab.js';
import { NAT_MAQUETTE } from '../../../src/lab/maquette.js';

let labs = 0;

/** A NAT maquette with namespaces named uvt<pid><n>-<host>; remember to destroy() it. */
export function natLab(): Lab {
  labs++;
  return new Lab(NAT_MAQUETTE, `uvt${process.pid.toString(36)}${labs}`);
}

/** `n` sequential GETs from the client; bodies trimmed, "FAIL" for failures. */
export function fetchPages(lab: Lab, n: number, url = `http://${NAT_MAQUETTE.vip}/`, timeoutS = 3): string[] {
  const pages: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = lab.curl('client', url, timeoutS);
    pages.push(r.code === 0 ? r.stdout.trim() : 'FAIL');
  }
  return pages;
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

/**
 * Captures on `host`'s `ifName` while `during` runs; returns tcpdump's text lines.
 * Bounded: the capture stops when `during` returns (or after 60 s).
 */
export async function capture(lab: Lab, host: string, ifName: string, filter: string, during: () => Promise<void> | void): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'uvs-cap-'));
  const file = join(dir, 'cap.pcap');
  const td = spawn('ip', ['netns', 'exec', lab.ns(host), 'tcpdump', '-Z', 'root', '--immediate-mode', '-n', '-U', '-i', ifName, '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  const killer = setTimeout(() => td.kill('SIGKILL'), 60_000);
  try {
    await new Promise<void>((resolve, reject) => {
      let err = '';
      td.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('listening on')) resolve();
      });
      td.once('exit', () => reject(new Error(`tcpdump exited: ${err}`)));
    });
    await during();
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    clearTimeout(killer);
    td.kill('SIGTERM');
    await new Promise((r) => td.once('exit', r));
  }
  const r = lab.run(host, 'tcpdump', ['-n', '-tt', '-r', file]);
  rmSync(dir, { recursive: true, force: true });
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
