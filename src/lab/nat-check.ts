// `uvs-lab nat --check`: what the course asks the student to look at — pages through the
// VIP alternating between S1 and S2, then `ipvsadm -Lnc` and `-Ln` on the director.
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

export function checkNat(lab: Lab, requests: number): CheckResult {
  const url = `http://${lab.maquette.vip}/`;
  const expected = lab.maquette.hosts.flatMap((h) => (h.page ? [h.page] : []));
  const lines: string[] = [];
  const pages: string[] = [];
  let failed = 0;
  for (let i = 1; i <= requests; i++) {
    const r = lab.curl('client', url);
    const page = r.stdout.trim();
    if (r.code !== 0) failed++;
    pages.push(page);
    lines.push(`client$ curl ${url}   # ${i}\n${r.code === 0 ? page : `FAILED: ${r.stderr.trim()}`}`);
  }
  const conns = lab.uvsadm(['-Lnc']);
  const table = lab.uvsadm(['-Ln']);
  lines.push(`director$ uvsadm -Lnc\n${conns.stdout}${conns.stderr}`);
  lines.push(`director$ uvsadm -Ln\n${table.stdout}${table.stderr}`);
  const alternate = pagesAlternate(pages, expected);
  const ok = failed === 0 && alternate && conns.code === 0 && table.code === 0;
  lines.push(
    ok
      ? `check passed: ${requests} requests, pages alternate between ${expected.length} servers`
      : `check FAILED: ${failed} failed request(s)${alternate ? '' : ', pages do not alternate'}`,
  );
  return { ok, report: lines.join('\n') };
}
