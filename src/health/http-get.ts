// HTTP_GET and SSL_GET: every url answers with its status_code (any 2xx when none is given)
// and, when a digest is given, a body whose MD5 is that digest (as keepalived's genhash
// computes it). SSL_GET does not verify the certificate, as keepalived does not by default.
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { UrlSpec } from './checker-spec.js';
import { failed, ok, type Checker, type CheckResult, type CheckTarget } from './checker.js';

export interface PageResult {
  readonly status: number;
  readonly md5: string;
}

/** GETs `path` on the target; resolves with the status and the body's MD5. */
export function fetchPage(
  t: CheckTarget,
  path: string,
  tls: boolean,
  host?: string,
): Promise<PageResult> {
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequest : httpRequest)(
      {
        host: t.ip,
        port: t.port,
        path,
        method: 'GET',
        headers: { host: host ?? t.ip, 'user-agent': 'uvs-healthcheck', connection: 'close' },
        timeout: t.timeoutMs,
        ...(t.bindto ? { localAddress: t.bindto } : {}),
        ...(tls ? { rejectUnauthorized: false, servername: host ?? t.ip } : {}),
      },
      (res: IncomingMessage) => {
        const md5 = createHash('md5');
        res.on('data', (d: Buffer) => md5.update(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, md5: md5.digest('hex') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${t.timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export class HttpGet implements Checker {
  readonly type: string;

  constructor(
    private readonly urls: readonly UrlSpec[],
    private readonly tls: boolean,
    private readonly virtualhost?: string,
  ) {
    this.type = tls ? 'SSL_GET' : 'HTTP_GET';
  }

  async check(t: CheckTarget): Promise<CheckResult> {
    for (const u of this.urls) {
      let page: PageResult;
      try {
        page = await fetchPage(t, u.path, this.tls, u.virtualhost ?? this.virtualhost);
      } catch (err) {
        return failed(
          `${this.type} ${t.ip}:${t.port}${u.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        );
      }
      // status_code: one code, or ranges and lists ("200-299 301"); none: any 2xx.
      const statusOk = u.statusCodes
        ? u.statusCodes.some(([first, last]) => page.status >= first && page.status <= last)
        : u.statusCode !== undefined
          ? page.status === u.statusCode
          : page.status >= 200 && page.status < 300;
      if (!statusOk)
        return failed(`${this.type} ${t.ip}:${t.port}${u.path}: status ${page.status}`);
      if (u.digest !== undefined && page.md5 !== u.digest)
        return failed(
          `${this.type} ${t.ip}:${t.port}${u.path}: digest ${page.md5} is not ${u.digest}`,
        );
    }
    return ok;
  }
}
