// `uvs-lab nat6|dr6|tun6 --check`: the course's check in IPv6 — pages through [VIP] alternating
// between S1 and S2, `uvsadm -Lnc` and `-Ln` on the director; for DR and TUN, also that the
// replies bypass the director, and for DR that only the director answers neighbour
// solicitations for the VIP (the real servers hold it on lo, which IPv6 never advertises on
// another interface).
import { captureIn } from './capture.js';
import type { Lab } from './lab.js';
import { pagesAlternate, type CheckResult } from './maquette-check.js';

function requestPages(lab: Lab, requests: number, lines: string[]) {
  const url = `http://[${lab.maquette.vip}]/`;
  const pages: string[] = [];
  let failed = 0;
  for (let i = 1; i <= requests; i++) {
    const r = lab.curl('client', url);
    const page = r.stdout.trim();
    if (r.code !== 0) failed++;
    pages.push(page);
    lines.push(
      `client$ curl '${url}'   # ${i}\n${r.code === 0 ? page : `FAILED: ${r.stderr.trim()}`}`,
    );
  }
  return { pages, failed };
}

function macOf(lab: Lab, host: string, ifName: string): string {
  const r = lab.run(host, 'ip', ['-j', 'link', 'show', ifName]);
  return r.code === 0 ? ((JSON.parse(r.stdout) as { address: string }[])[0]?.address ?? '?') : '?';
}

/** DR: the MACs that advertise the VIP on the servers' LAN when the router solicits it. */
export async function ndpAnswerers(lab: Lab): Promise<string[]> {
  const vip = lab.maquette.vip;
  const lines = await captureIn(lab.ns('router'), 'eth1', 'icmp6 and ip6[40] == 136', () => {
    lab.run('router', 'ip', ['-6', 'neigh', 'flush', 'to', vip]);
    lab.run('router', 'ping', ['-6', '-c', '1', '-W', '1', vip]);
  });
  // tcpdump -e: "<time> <src MAC> > <dst MAC>, ethertype IPv6 … advertisement, tgt is <vip>, …"
  return [
    ...new Set(
      lines
        .filter((l) => l.includes(`tgt is ${vip},`))
        .map((l) => /^\S+ ([0-9a-f:]{17}) >/.exec(l)?.[1] ?? '?'),
    ),
  ];
}

export async function checkMaquette6(lab: Lab, requests: number): Promise<CheckResult> {
  const m = lab.maquette;
  const expected = m.hosts.filter((h) => h.page !== undefined).map((h) => h.page!);
  const lines: string[] = [];
  let pages: string[] = [];
  let failed = 0;
  let bypass = true;
  if (m.name === 'dr6' || m.name === 'tun6') {
    const filter = `ip6 and src host ${m.vip} and tcp src port 80`;
    const seen = await captureIn(lab.ns('director'), 'eth0', filter, () => {
      ({ pages, failed } = requestPages(lab, requests, lines));
    });
    lines.push(
      `director$ tcpdump -ni eth0 '${filter}'   # during the requests\n${seen.length} frame(s)${seen.length === 0 ? ': the replies bypass the director' : ''}`,
    );
    bypass = seen.length === 0;
    if (m.name === 'dr6') {
      const dirMac = macOf(lab, 'director', 'eth0');
      const answerers = await ndpAnswerers(lab);
      lines.push(
        `router$ neighbour solicitation for ${m.vip}: advertised by ${answerers.join(', ') || 'nobody'} (director eth0 is ${dirMac})`,
      );
      bypass = bypass && answerers.length === 1 && answerers[0] === dirMac;
    }
  } else {
    ({ pages, failed } = requestPages(lab, requests, lines));
  }
  const conns = lab.uvsadm(['-Lnc']);
  const table = lab.uvsadm(['-Ln']);
  lines.push(`director$ uvsadm -Lnc\n${conns.stdout}${conns.stderr}`);
  lines.push(`director$ uvsadm -Ln\n${table.stdout}${table.stderr}`);
  const alternate = pagesAlternate(pages, expected);
  const ok = failed === 0 && alternate && bypass && conns.code === 0 && table.code === 0;
  lines.push(
    ok
      ? `check passed: ${requests} requests to [${m.vip}], pages alternate between ${expected.length} servers`
      : `check FAILED: ${failed} failed request(s)${alternate ? '' : ', pages do not alternate'}${bypass ? '' : ', replies crossed the director or a real server advertised the VIP'}`,
  );
  return { ok, report: lines.join('\n') };
}
