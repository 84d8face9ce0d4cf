// Shared by the forwarding tests: the course's NAT maquette under unique namespace names,
// HTTP from the client, a capture in a namespace, and the daemon's counters.
import { fileURLToPath } from 'node:url';
import { captureIn } from '../../../src/lab/capture.js';
import { Lab } from '../../../src/lab/lab.js';
import { NAT_MAQUETTE } from '../../../src/lab/maquette.js';

let labs = 0;

/** A NAT maquette with namespaces named uvt<pid><n>-<host>; remember to destroy() it. */
export function natLab(): Lab {
  labs++;
  return new Lab(NAT_MAQUETTE, `uvt${process.pid.toString(36)}${labs}`);
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
