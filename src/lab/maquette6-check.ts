// `uvs-lab nat6|dr6 --check` while uvsd does not forward IPv6: the topology is up and each real
// server answers by its own IPv6 address, from the director (on the servers' LAN) and from
// the client (routed by the director in NAT, by the router in DR).
import type { CheckResult } from './maquette-check.js';
import type { Lab } from './lab.js';

/** The servers' addresses (without prefix length) and pages. */
function servers(lab: Lab): { name: string; addr: string; page: string }[] {
  return lab.maquette.hosts
    .filter((h) => h.page !== undefined)
    .map((h) => ({ name: h.name, addr: h.ifaces[0]!.addrs[0]!.split('/')[0]!, page: h.page! }));
}

export function checkMaquette6(lab: Lab, requests: number): Promise<CheckResult> {
  const lines: string[] = [];
  let failed = 0;
  for (const from of ['director', 'client']) {
    for (let i = 0; i < requests; i++) {
      for (const s of servers(lab)) {
        const url = `http://[${s.addr}]/`;
        const r = lab.curl(from, url);
        const ok = r.code === 0 && r.stdout.trim() === s.page;
        if (!ok) failed++;
        if (i === 0 || !ok)
          lines.push(
            `${from}$ curl ${url}\n${ok ? r.stdout.trim() : `FAILED: ${r.stderr.trim() || r.stdout.trim()}`}`,
          );
      }
    }
  }
  const table = lab.uvsadm(['-Ln']);
  lines.push(`director$ uvsadm -Ln\n${table.stdout}${table.stderr}`);
  const ok = failed === 0 && table.code === 0;
  lines.push(
    ok
      ? `check passed: every server answers over IPv6 (${requests} round(s)); forwarding through ${lab.maquette.vip} comes with uvsd's IPv6 engine`
      : `check FAILED: ${failed} request(s) without the expected page`,
  );
  return Promise.resolve({ ok, report: lines.join('\n') });
}
