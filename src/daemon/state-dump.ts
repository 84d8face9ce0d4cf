// keepalived's SIGUSR1 and SIGUSR2: the current state (virtual services, real servers with their
// weights, and for a keepalived.conf each real server's checkers and their states) written to a
// data file, and the counters to a stats file. keepalived writes /tmp/keepalived.data and
// /tmp/keepalived.stats; uvsd writes one pair per network namespace under /run/uvs/ (see
// runtime-paths.ts), atomically (a reader never sees half a file), root-readable only.
import { renameSync, writeFileSync } from 'node:fs';
import type { DirectorControl } from '../control/director-control.js';
import type { ListFormat } from '../ipvsadm/command.js';
import { listAll, listTimeout } from '../ipvsadm/format-listing.js';
import type { VirtualServerStatus } from '../keepalived/status.js';

/** What the keepalived runner exposes of its checkers (nothing without -f). */
export interface CheckerStatusSource {
  status(): readonly VirtualServerStatus[];
}

const LISTING: ListFormat = {
  numeric: true,
  stats: false,
  rate: false,
  thresholds: false,
  persistentConn: false,
  exact: false,
  nosort: false,
};

function header(what: string, now: Date): string {
  return `------< uvsd ${what}, pid ${process.pid}, ${now.toISOString()} >------\n`;
}

/** The data file's text: the table as `uvsadm -Ln` prints it, then the checkers. */
export function formatStateDump(
  director: DirectorControl,
  checkers: CheckerStatusSource | undefined,
  now = new Date(),
): string {
  let out = header('state', now);
  out += `\n------< Virtual services (uvsadm -Ln) >------\n`;
  out += listAll(director.services(), director.connTableSize(), LISTING);
  out += listTimeout(director.timeouts());
  out += `\n------< Checkers (keepalived.conf) >------\n`;
  const vss = checkers?.status() ?? [];
  if (vss.length === 0) out += ' none (no -f configuration)\n';
  for (const vs of vss) {
    out += ` virtual_server ${vs.name}: quorum ${vs.quorumUp ? 'up' : 'down'}`;
    out += vs.sorryServer ? `, sorry_server ${vs.sorryServer}\n` : '\n';
    for (const rs of vs.realServers) {
      out += `   real_server ${rs.addr} ${rs.port}: ${rs.up ? 'UP' : 'DOWN'}, weight ${rs.weight}\n`;
      for (const c of rs.checkers)
        out += `     ${c.type}: ${c.up ? 'up' : 'down'}${c.reason ? ` (${c.reason})` : ''}\n`;
    }
  }
  return out;
}

/** The stats file's text: frame counters, and per service/server counters as --stats. */
export function formatStatsDump(director: DirectorControl, now = new Date()): string {
  let out = header('counters', now);
  out += `\n------< Frames >------\n`;
  const counters = director.counters();
  for (const k of Object.keys(counters).sort()) out += ` ${k} ${counters[k]}\n`;
  out += `\n------< Virtual services (uvsadm -Ln --stats --exact) >------\n`;
  out += listAll(director.services(), director.connTableSize(), {
    ...LISTING,
    stats: true,
    exact: true,
  });
  return out;
}

/** Writes `text` to `path` atomically, mode 0600. */
export function writeDump(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}
