// `uvs-lab keepalived --check`, after the pages alternate: the course's fault tolerance shown
// step by step. S1's web server stops: its HTTP_GET checker takes it out of the table and the
// pages come from S2 only; S2's stops too: the quorum is lost and the sorry server answers;
// both come back: the checkers put them back and the sorry server leaves.
import type { HostSpec } from './maquette.js';
import type { Lab } from './lab.js';
import { nodeScripts } from './ns-processes.js';

const STEP_DEADLINE_MS = 25_000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function addrOf(h: HostSpec): string {
  return h.ifaces[0]!.addrs[0]!.split('/')[0]!;
}

/** Real servers in the director's table, "ip:port" as uvsadm -Ln prints them. */
export function tableServers(listing: string): string[] {
  return [...listing.matchAll(/^\s+-> (\d+\.\d+\.\d+\.\d+:\d+)\s/gm)].map((m) => m[1]!);
}

async function waitForTable(
  lab: Lab,
  want: (servers: string[]) => boolean,
): Promise<number | undefined> {
  const start = Date.now();
  while (Date.now() - start < STEP_DEADLINE_MS) {
    if (want(tableServers(lab.uvsadm(['-Ln']).stdout))) return (Date.now() - start) / 1000;
    await sleep(250);
  }
  return undefined;
}

function stopWebServer(lab: Lab, host: string): void {
  for (const p of nodeScripts(lab.ns(host), 'uvs-lab.js', 'serve-http'))
    process.kill(p.pid, 'SIGTERM');
}

function pages(lab: Lab, n: number, lines: string[]): string[] {
  const url = `http://${lab.maquette.vip}/`;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = lab.curl('client', url);
    out.push(r.code === 0 ? r.stdout.trim() : 'FAILED');
  }
  lines.push(`client$ curl ${url}   # ×${n}\n${out.join('\n')}`);
  return out;
}

export async function checkKeepalivedFailover(lab: Lab, lines: string[]): Promise<boolean> {
  const m = lab.maquette;
  const sorryIp = /sorry_server (\S+)/.exec(m.keepalivedConf ?? '')?.[1];
  const servers = m.hosts.filter((h) => h.role === 'server' && addrOf(h) !== sorryIp);
  const sorry = m.hosts.find((h) => h.role === 'server' && addrOf(h) === sorryIp);
  const [s1, s2] = servers;
  if (!s1 || !s2 || !sorry) {
    lines.push('failover check skipped: the maquette needs two real servers and a sorry server');
    return false;
  }
  const has = (h: HostSpec) => (t: string[]) => t.some((s) => s.startsWith(`${addrOf(h)}:`));
  const step = async (
    title: string,
    want: (t: string[]) => boolean,
    expected: string,
  ): Promise<boolean> => {
    const took = await waitForTable(lab, want);
    lines.push(
      took === undefined
        ? `${title}: NOT SEEN within ${STEP_DEADLINE_MS / 1000} s`
        : `${title}: after ${took.toFixed(1)} s`,
    );
    lines.push(`director$ uvsadm -Ln\n${lab.uvsadm(['-Ln']).stdout}`);
    const got = pages(lab, 3, lines);
    return took !== undefined && got.every((p) => p === expected);
  };

  lines.push(`\n# S1's web server stops (${s1.name}: kill its web server)`);
  stopWebServer(lab, s1.name);
  const a = await step(
    `checker takes ${addrOf(s1)} out`,
    (t) => !has(s1)(t) && has(s2)(t),
    s2.page!,
  );

  lines.push(`\n# S2's web server stops too: below the quorum, the sorry server answers`);
  stopWebServer(lab, s2.name);
  const b = await step(
    `sorry server ${addrOf(sorry)} takes over`,
    (t) => has(sorry)(t) && !has(s2)(t),
    sorry.page!,
  );

  lines.push(`\n# both web servers start again`);
  for (const h of [s1, s2]) {
    lab.startWebServer(h.name, 80, h.page!);
    lab.waitForPort(h.name, 80);
  }
  const back = await waitForTable(lab, (t) => has(s1)(t) && has(s2)(t) && !has(sorry)(t));
  lines.push(
    back === undefined
      ? `checkers put S1 and S2 back: NOT SEEN within ${STEP_DEADLINE_MS / 1000} s`
      : `checkers put ${addrOf(s1)} and ${addrOf(s2)} back, the sorry server leaves: after ${back.toFixed(1)} s`,
  );
  lines.push(`director$ uvsadm -Ln\n${lab.uvsadm(['-Ln']).stdout}`);
  if (lab.logFile) lines.push(`(the checkers' verdicts, stamped, are in ${lab.logFile})`);
  return a && b && back !== undefined;
}
