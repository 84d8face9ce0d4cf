#!/usr/bin/env node
// uvs-genhash — keepalived's genhash: the MD5 digest of a page, to paste into a HTTP_GET or
// SSL_GET `digest`. Same flags: -s server -p port -u url [-S] [-V virtualhost] [-v].
import { fetchPage } from '../health/http-get.js';
import { isIpv4 } from '../packet/addr.js';

const USAGE = `uvs-genhash — MD5 digest of a web page, as keepalived's genhash computes it

Usage: uvs-genhash -s server -p port -u url [-S] [-V virtualhost] [-v] [-t seconds]

  -s, --server      server address (IPv4)
  -p, --port        server port
  -u, --url         path of the page (/index.html)
  -S, --use-ssl     use SSL (certificates are not verified)
  -V, --use-virtualhost  Host header to send
  -t, --timeout     seconds to wait for the page (default 5)
  -v, --verbose     also print the status line
  -h, --help        this help
`;

function fail(msg: string, code = 2): never {
  process.stderr.write(`uvs-genhash: ${msg}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opts: Record<string, string | boolean> = {};
  const names: Record<string, string> = {
    s: 'server',
    p: 'port',
    u: 'url',
    S: 'use-ssl',
    V: 'use-virtualhost',
    v: 'verbose',
    h: 'help',
    t: 'timeout',
  };
  const flags = new Set(['use-ssl', 'verbose', 'help']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.startsWith('--')
      ? a.slice(2)
      : a.startsWith('-') && a.length === 2
        ? names[a[1]!]
        : undefined;
    if (!name || !Object.values(names).includes(name)) fail(`unknown option ${a}\n${USAGE}`);
    if (flags.has(name)) opts[name] = true;
    else {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      opts[name] = v;
    }
  }
  if (opts['help']) {
    process.stdout.write(USAGE);
    return;
  }
  const server = String(opts['server'] ?? fail('give the server with -s'));
  if (!isIpv4(server)) fail(`-s ${server}: not an IPv4 address`);
  const port = Number(opts['port'] ?? fail('give the port with -p'));
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    fail(`-p ${String(opts['port'])}: not a port`);
  const url = String(opts['url'] ?? fail('give the url with -u'));
  const timeout = Number(opts['timeout'] ?? 5);
  const host = opts['use-virtualhost'] === undefined ? undefined : String(opts['use-virtualhost']);
  try {
    const page = await fetchPage(
      { ip: server, port, timeoutMs: timeout * 1000 },
      url,
      opts['use-ssl'] === true,
      host,
    );
    if (opts['verbose']) process.stdout.write(`HTTP status ${page.status} for ${url}\n`);
    process.stdout.write(`MD5SUM = ${page.md5}\n`);
  } catch (err) {
    fail(
      `${server}:${port}${url}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      1,
    );
  }
}

void main();
