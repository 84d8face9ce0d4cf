// `uvs-lab <maquette> --check`: what the course asks the student to look at — pages through
// the VIP alternating between S1 and S2, `ipvsadm -Lnc` and `-Ln` on the director; for DR,
// also that the replies bypass the director and that only the director answers ARP for
// the VIP.
import { captureIn } from './capture.js';
import { checkKeepalivedFailover } from './keepalived-failover.js';
import type { Lab } from './lab.js';

export interface CheckResult {
  readonly ok: boolean;
  readonly report: string;
}

/** Pages alternate: every request answered, no two consecutive answers alike, all servers seen. */
export function pagesAlternate(pages: readonly string[], expected: readonly string[]): boolean {
  if (pages.some((p) => !expected.includes(p))) return false;
  for (let i = 1; i < pages.length; i++) if (pages[i] === pages[i - 1]) return false;
  return expected.every((e) => pages.includes(e));
}

function requestPages(
  lab: Lab,
  requests: number,
  lines: string[],
): { pages: string[]; failed: number } {
  const url = `http://${lab.maquette.vip}/`;
  const pages: string[] = [];
  let failed = 0;
  for (let i = 1; i <= requests; i++) {
    const r = lab.curl('client', url);
    const page = r.stdout.trim();
    if (r.code !== 0) failed++;
    pages.push(page);
    lines.push(
      `client$ curl ${url}   # ${i}\n${r.code === 0 ? page : `FAILED: ${r.stderr.trim()}`}`,
    );
  }
  return { pages, failed };
}

function macOf(lab: Lab, host: string, ifName: string): string {
  const r = lab.run(host, 'ip', ['-j', 'link', 'show', ifName]);
  return r.code === 0 ? ((JSON.parse(r.stdout) as { address: string }[])[0]?.address ?? '?') : '?';
}

/** DR: the MACs that answer ARP for the VIP on the servers' LAN (seen from the router). */
export async function arpAnswerers(lab: Lab): Promise<string[]> {
  const vip = lab.maquette.vip;
  const lines = await captureIn(lab.ns('router'), 'eth1', `arp and arp[7] = 2`, () => {
    lab.run('router', 'ip', ['neigh', 'flush', 'to', vip]);
    lab.run('router', 'ping', ['-c', '1', '-W', '1', vip]);
  });
  return [
    ...new Set(
      lines
        .filter((l) => l.includes(`Reply ${vip} is-at`))
        .map((l) => /is-at ([0-9a-f:]+)/.exec(l)?.[1] ?? '?'),
    ),
  ];
}

export async function checkMaquette(lab: Lab, requests: number): Promise<CheckResult> {
  const m = lab.maquette;
  // The pages of the real servers (a sorry server only answers when they are all down).
  const sorry =
    m.keepalivedConf !== undefined ? /sorry_server (\S+)/.exec(m.keepalivedConf)?.[1] : undefined;
  const expected = m.hosts
    .filter((h) => h.page && !h.ifaces.some((i) => i.addrs.some((a) => a.split('/')[0] === sorry)))
    .map((h) => h.page!);
  const lines: string[] = [];
  let pages: string[] = [];
  let failed = 0;
  let bypass = true;
  if (m.name === 'dr' || m.name === 'tun') {
    // Frames from VIP:80 seen on the director's link would be replies passing through it.
    const seen = await captureIn(
      lab.ns('director'),
      'eth0',
      `src host ${m.vip} and tcp src port 80`,
      () => {
        ({ pages, failed } = requestPages(lab, requests, lines));
      },
    );
    bypass = seen.length === 0;
    lines.push(
      `director$ tcpdump -ni eth0 'src host ${m.vip} and tcp src port 80'   # during the requests\n${seen.length} frame(s)${bypass ? ': the replies bypass the director' : ''}`,
    );
    if (m.name === 'dr') {
      const dirMac = macOf(lab, 'director', 'eth0');
      const answerers = await arpAnswerers(lab);
      const onlyDirector = answerers.length === 1 && answerers[0] === dirMac;
      lines.push(
        `router$ arp for ${m.vip}: answered by ${answerers.join(', ') || 'nobody'} (director eth0 is ${dirMac})`,
      );
      bypass = bypass && onlyDirector;
    }
  } else {
    ({ pages, failed } = requestPages(lab, requests, lines));
  }
  const conns = lab.uvsadm(['-Lnc']);
  const table = lab.uvsadm(['-Ln']);
  lines.push(`director$ uvsadm -Lnc\n${conns.stdout}${conns.stderr}`);
  lines.push(`director$ uvsadm -Ln\n${table.stdout}${table.stderr}`);
  const alternate = pagesAlternate(pages, expected);
  const failover =
    m.keepalivedConf !== undefined ? await checkKeepalivedFailover(lab, lines) : true;
  const ok =
    failed === 0 && alternate && bypass && failover && conns.code === 0 && table.code === 0;
  lines.push(
    ok
      ? `check passed: ${requests} requests, pages alternate between ${expected.length} servers${m.keepalivedConf !== undefined ? '; the checkers took servers out and back, the sorry server answered below quorum' : ''}`
      : `check FAILED: ${failed} failed request(s)${alternate ? '' : ', pages do not alternate'}${bypass ? '' : ', replies crossed the director or a real server answered ARP for the VIP'}${failover ? '' : ', the failover did not happen as expected'}`,
  );
  return { ok, report: lines.join('\n') };
}
