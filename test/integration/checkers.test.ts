// Each keepalived checker against a real server: servers run on loopback in this process
// (HTTP, HTTPS with a self-signed certificate, SMTP, UDP, DNS), scripts for MISC_CHECK,
// and PING_CHECK inside a namespace of its own for the unreachable case.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CheckTarget } from '../../src/health/checker.js';
import { DnsCheck } from '../../src/health/dns-check.js';
import { HttpGet } from '../../src/health/http-get.js';
import { MiscCheck } from '../../src/health/misc-check.js';
import { SmtpCheck } from '../../src/health/smtp-check.js';
import { TcpCheck } from '../../src/health/tcp-check.js';
import { UdpCheck } from '../../src/health/udp-check.js';
import { serveDns } from '../../src/lab/dns-server.js';
import { serveSmtp } from '../../src/lab/smtp-server.js';

const dir = mkdtempSync(join(tmpdir(), 'uvs-checkers-'));
const PAGE = "Je suis le serveur 1 et j'ai faim\n";
const MD5 = createHash('md5').update(PAGE).digest('hex');
const closers: (() => void)[] = [];
let httpPort = 0;
let httpsPort = 0;
let smtpPort = 0;
let badSmtpPort = 0;
let dnsPort = 0;

const at = (port: number, timeoutMs = 1000): CheckTarget => ({ ip: '127.0.0.1', port, timeoutMs });
const portOf = (s: { address(): AddressInfo | string | null }): number =>
  (s.address() as AddressInfo).port;

function page(
  req: { headers: { host?: string | undefined }; url?: string | undefined },
  res: { writeHead(n: number): { end(b: string): void } },
): void {
  if (req.url === '/vhost')
    return void res.writeHead(req.headers.host === 'www.example.test' ? 200 : 404).end(PAGE);
  if (req.url === '/missing') return void res.writeHead(404).end('no');
  res.writeHead(200).end(PAGE);
}

before(async () => {
  const http: Server = createHttpServer(page);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  httpPort = portOf(http);
  closers.push(() => http.close());
  const gen = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=uvs-test',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(gen.status, 0, gen.stderr);
  const https = createHttpsServer(
    { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) },
    page,
  );
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  httpsPort = portOf(https);
  closers.push(() => https.close());
  const smtp = await serveSmtp(0, 'mx.uvs.test', '127.0.0.1');
  smtpPort = portOf(smtp);
  closers.push(() => smtp.close());
  const bad = await serveSmtp(0, 'mx.uvs.test', '127.0.0.1', 554);
  badSmtpPort = portOf(bad);
  closers.push(() => bad.close());
  const dns = await serveDns(0, new Map([['www.example.test', '192.0.2.10']]), '127.0.0.1');
  dnsPort = dns.address().port;
  closers.push(() => dns.close());
});

after(() => {
  for (const c of closers) c();
  rmSync(dir, { recursive: true, force: true });
});

/** A loopback port nobody listens on (TCP and UDP): bound, read, released. */
function closedPort(): number {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
    ],
    { encoding: 'utf8' },
  );
  return Number(r.stdout.trim());
}

test('TCP_CHECK: up on a listening port, down with the reason on a closed one', async () => {
  assert.deepEqual(await new TcpCheck().check(at(httpPort)), { ok: true });
  const r = await new TcpCheck().check(at(closedPort()));
  assert.equal(r.ok, false);
  assert.match(r.reason, /ECONNREFUSED/);
  // bindto: the check leaves from that address (one the host must hold).
  assert.deepEqual(await new TcpCheck().check({ ...at(httpPort), bindto: '127.0.0.1' }), {
    ok: true,
  });
  const unbound = await new TcpCheck().check({ ...at(httpPort), bindto: '192.0.2.77' });
  assert.match(!unbound.ok ? unbound.reason : '', /EADDRNOTAVAIL/);
});

test('HTTP_GET: status code, digest and virtualhost decide', async () => {
  assert.deepEqual(await new HttpGet([{ path: '/', digest: MD5 }], false).check(at(httpPort)), {
    ok: true,
  });
  const wrong = await new HttpGet([{ path: '/', digest: '0'.repeat(32) }], false).check(
    at(httpPort),
  );
  assert.match(!wrong.ok ? wrong.reason : '', /digest [0-9a-f]{32} is not 0{32}/);
  assert.equal(
    (
      await new HttpGet([{ path: '/', statusCode: 200 }, { path: '/missing' }], false).check(
        at(httpPort),
      )
    ).ok,
    false,
    'every url must pass',
  );
  assert.equal(
    (await new HttpGet([{ path: '/missing', statusCode: 404 }], false).check(at(httpPort))).ok,
    true,
  );
  assert.equal((await new HttpGet([{ path: '/vhost' }], false).check(at(httpPort))).ok, false);
  assert.equal(
    (await new HttpGet([{ path: '/vhost' }], false, 'www.example.test').check(at(httpPort))).ok,
    true,
  );
});

test('SSL_GET against a real TLS server with a self-signed certificate', async () => {
  assert.deepEqual(await new HttpGet([{ path: '/', digest: MD5 }], true).check(at(httpsPort)), {
    ok: true,
  });
  assert.equal(
    (await new HttpGet([{ path: '/' }], true).check(at(httpPort))).ok,
    false,
    'plain HTTP is not TLS',
  );
});

test('SMTP_CHECK: greeting, EHLO, QUIT against a real SMTP server; a 554 greeting is down', async () => {
  assert.deepEqual(await new SmtpCheck('uvs.test').check(at(smtpPort)), { ok: true });
  const r = await new SmtpCheck('uvs.test').check(at(badSmtpPort));
  assert.match(!r.ok ? r.reason : '', /greeting 554/);
});

test('MISC_CHECK: exit codes, misc_dynamic weights, timeout', async () => {
  assert.deepEqual(await new MiscCheck('exit 0', false, 2000).check(at(0)), { ok: true });
  assert.equal((await new MiscCheck('exit 3', false, 2000).check(at(0))).ok, false);
  assert.deepEqual(await new MiscCheck('exit 7', true, 2000).check(at(0)), { ok: true, weight: 5 });
  assert.equal((await new MiscCheck('exit 1', true, 2000).check(at(0))).ok, false);
  const slow = await new MiscCheck('sleep 5', false, 300).check(at(0));
  assert.match(!slow.ok ? slow.reason : '', /killed/);
});

test('UDP_CHECK: a closed port answers ICMP unreachable (down); require_reply needs the reply', async () => {
  const echo = createSocket('udp4');
  echo.on('message', (m, r) =>
    echo.send(Buffer.concat([Buffer.from('pong '), m]), r.port, r.address),
  );
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
  const port = echo.address().port;
  try {
    assert.deepEqual(await new UdpCheck('ping', 'pong').check(at(port)), { ok: true });
    assert.equal((await new UdpCheck('ping', 'nope').check(at(port))).ok, false);
    const closed = await new UdpCheck('ping').check(at(closedPort()));
    assert.match(!closed.ok ? closed.reason : '', /ECONNREFUSED/);
  } finally {
    echo.close();
  }
});

test('DNS_CHECK: a record of the type asked is up; NXDOMAIN is down', async () => {
  assert.deepEqual(await new DnsCheck('www.example.test', 'A').check(at(dnsPort)), { ok: true });
  assert.equal((await new DnsCheck('nope.example.test', 'A').check(at(dnsPort))).ok, false);
  assert.equal((await new DnsCheck('www.example.test', 'MX').check(at(dnsPort))).ok, false);
  // bindto: the query leaves from that address, as every checker's does.
  const from = { ...at(dnsPort), bindto: '127.0.0.1' };
  assert.deepEqual(await new DnsCheck('www.example.test', 'A').check(from), { ok: true });
  const unbound = await new DnsCheck('www.example.test', 'A').check({
    ...from,
    bindto: '192.0.2.77',
  });
  assert.match(!unbound.ok ? unbound.reason : '', /EADDRNOTAVAIL/);
});

test("PING_CHECK: an answering host is up; a silent address on the namespace's own LAN is down", () => {
  const ns = `uvp${process.pid.toString(36)}`;
  const run = (args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });
  const fixture = fileURLToPath(new URL('./fixtures/ping-check.js', import.meta.url));
  try {
    assert.equal(run(['netns', 'add', ns]).status, 0);
    run(['-n', ns, 'link', 'set', 'lo', 'up']);
    run(['-n', ns, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1']);
    run(['-n', ns, 'addr', 'add', '10.201.0.1/24', 'dev', 'p0']);
    run(['-n', ns, 'link', 'set', 'p0', 'up']);
    run(['-n', ns, 'link', 'set', 'p1', 'up']);
    const probe = (ip: string) =>
      spawnSync('ip', ['netns', 'exec', ns, process.execPath, fixture, ip], {
        encoding: 'utf8',
      }).stdout.trim();
    assert.equal(probe('10.201.0.1'), 'up');
    assert.match(probe('10.201.0.9'), /^down: no echo reply from 10\.201\.0\.9/);
  } finally {
    run(['netns', 'del', ns]);
  }
});
