// `uvs-lab status`: which maquette is up, uvsd's pid, the director's table, and each real
// server's state as a student checks it: its cable (switch port), its web server, whether it
// is in the table, and the checkers' last verdict on it (from the maquette's log).
import { existsSync, readFileSync } from 'node:fs';
import type { Lab } from './lab.js';
import type { HostSpec } from './maquette.js';
import { tableServers } from './keepalived-failover.js';
import { nodeScripts } from './ns-processes.js';
import { sh } from './shell.js';
import { portName } from './topology.js';

function cableState(lab: Lab, h: HostSpec): string {
  const port = portName(h.name, h.ifaces[0]!.ifName);
  try {
    const [link] = JSON.parse(sh('ip', ['-n', lab.topo.switchNs, '-j', 'link', 'show', port])) as {
      flags: string[];
    }[];
    return `cable ${port} ${link?.flags.includes('UP') ? 'plugged' : 'PULLED'}`;
  } catch {
    return `cable ${port} missing`;
  }
}

function webState(lab: Lab, h: HostSpec): string {
  if (!h.page) return 'no web server';
  const r = lab.run(h.name, 'ss', ['-Hltn', 'sport = :80']);
  return r.code === 0 && r.stdout.trim() !== '' ? 'web :80 listening' : 'web :80 STOPPED';
}

/** The last line of the log about `ip` from the checkers (UP/DOWN), without its date. */
function lastVerdict(log: string | undefined, ip: string): string | undefined {
  if (!log || !existsSync(log)) return undefined;
  const re = new RegExp(`^(\\S+) \\S+ .*\\b${ip.replace(/\./g, '\\.')}:\\d+ (UP|DOWN)\\b(.*)$`);
  let last: string | undefined;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const m = re.exec(line);
    if (m) last = `checker: ${m[2]}${m[3]} at ${m[1]!.slice(11, 19)}`;
  }
  return last;
}

/** `description`: what the lab recorded when it was built (the DR variant's, say). */
export function labStatus(lab: Lab, namespaces: readonly string[], description?: string): string {
  const m = lab.maquette;
  const out: string[] = [`maquette: ${m.name} — ${description ?? m.description}`];
  out.push(`namespaces: ${namespaces.join(' ')}`);
  const uvsd = nodeScripts(lab.ns('director'), 'uvsd.js');
  out.push(
    uvsd.length > 0
      ? uvsd
          .map((p) => `uvsd: pid ${p.pid} in ${lab.ns('director')} (${p.argv.slice(1).join(' ')})`)
          .join('\n')
      : `uvsd: NOT RUNNING in ${lab.ns('director')}`,
  );
  if (lab.logFile) out.push(`log: ${lab.logFile}`);
  const listing = uvsd.length > 0 ? lab.uvsadm(['-Ln']) : undefined;
  if (listing) out.push('', `director$ uvsadm -Ln`, (listing.stdout + listing.stderr).trimEnd());
  const table = tableServers(listing?.stdout ?? '');
  out.push('', 'real servers:');
  for (const h of m.hosts.filter((x) => x.role === 'server')) {
    const ip = h.ifaces[0]!.addrs[0]!.split('/')[0]!;
    const inTable = table.find((s) => s.startsWith(`${ip}:`));
    out.push(
      `  ${h.name.padEnd(4)} ${ip.padEnd(15)} ${[
        cableState(lab, h),
        webState(lab, h),
        inTable ? `in the table as ${inTable}` : 'not in the table',
        lastVerdict(lab.logFile, ip),
      ]
        .filter((x) => x !== undefined)
        .join(', ')}`,
    );
  }
  return `${out.join('\n')}\n`;
}
