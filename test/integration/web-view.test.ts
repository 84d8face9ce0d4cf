// uvsd --web in headless Chromium: a director (the real engine, frames injected in process) with
// a NAT, a DR and a TUN service configured by the real uvsadm over a control socket, and a
// keepalived.conf whose checkers talk to a real web server on loopback (one real server up,
// one down). The page must show each service, each real server and its method, the checker
// states, a real server added with uvsadm within 5 s without a reload, and be no blank page.
// No namespace: everything listens on 127.0.0.1 or a socket file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ControlServer } from '../../src/control/control-server.js';
import { KeepalivedRunner } from '../../src/keepalived/keepalived-runner.js';
import { WebView } from '../../src/web/web-server.js';
import { EngineRig } from '../unit/fixtures/engine-rig.js';
import { CLIENT_IF, DIR_CLIENT_MAC, FakeEnv, SERVER_IF } from '../unit/fixtures/fake-env.js';
import { buildFrame } from '../unit/fixtures/frames.js';

const UVSADM = fileURLToPath(new URL('../../src/bin/uvsadm.js', import.meta.url));
/** UPDATE_SCREENSHOT=1 saves the screenshot as the README's docs/web-view.png. */
const README_SCREENSHOT = fileURLToPath(new URL('../../../docs/web-view.png', import.meta.url));
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const dir = mkdtempSync(join(tmpdir(), 'uvs-web-'));
const socket = join(dir, 'uvsd.sock');
const env = new FakeEnv();
const rig = new EngineRig(env, () => performance.now());
const director = rig.director;
const control = new ControlServer(director);
let keepalived: KeepalivedRunner | undefined;
let web: WebView | undefined;
let origin = '';
let ticker: NodeJS.Timeout | undefined;
let backend: Server | undefined;
let browser: BrowserContext | undefined;
let page: Page;

/** The real uvsadm (asynchronously: the control server answers from this very process). */
async function uvsadm(...args: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      [UVSADM, '--socket', socket, ...args],
      { timeout: 20_000 },
      (err, _out, stderr) =>
        err ? reject(new Error(`uvsadm ${args.join(' ')}: ${stderr || err.message}`)) : resolve(),
    ),
  );
  // As uvsd's host sync would: real servers are on the servers' interface.
  rig.routeDestsVia(SERVER_IF);
}

let sport = 30000;
/** Client connections' handshakes through `vip` (the NAT servers' SYN-ACKs too). */
function traffic(vip: string, n: number): void {
  const client = (port: number, flags: number): Buffer =>
    buildFrame({
      src: '192.168.10.1',
      dst: vip,
      proto: 'tcp',
      sport: port,
      dport: 80,
      flags,
      dstMac: DIR_CLIENT_MAC,
    });
  const send = (frame: Buffer, ifIndex: number): Buffer => {
    const before = rig.sent.length;
    rig.process(frame, frame.length, ifIndex, performance.now());
    return rig.sent.length > before ? rig.last.frame : Buffer.alloc(60);
  };
  for (let k = 0; k < n; k++) {
    const port = sport++;
    const out = send(client(port, 0x02), CLIENT_IF);
    const rip = [...out.subarray(30, 34)].join('.');
    if (rip !== vip && out[14 + 9] === 6) {
      const synAck = buildFrame({
        src: rip,
        dst: '192.168.10.1',
        proto: 'tcp',
        sport: out.readUInt16BE(36),
        dport: port,
        flags: 0x12,
      });
      send(synAck, SERVER_IF);
    } // DR and TUN replies never reach the director
    send(client(port, 0x10), CLIENT_IF);
  }
}

before(async () => {
  for (const [ip, mac] of [
    ['192.168.20.1', '02:51:00:00:00:01'],
    ['192.168.20.2', '02:52:00:00:00:02'],
    ['192.168.20.3', '02:53:00:00:00:03'],
    ['192.168.30.1', '02:61:00:00:00:01'],
  ] as const)
    env.addNeighbour(ip, mac);
  await control.listen(socket);
  ticker = setInterval(() => rig.tick(performance.now()), 1000);
  await uvsadm('-A', '-t', '192.168.10.23:80', '-s', 'rr');
  await uvsadm('-a', '-t', '192.168.10.23:80', '-r', '192.168.20.1:8080', '-m', '-w', '1');
  await uvsadm('-a', '-t', '192.168.10.23:80', '-r', '192.168.20.2:8080', '-m', '-w', '2');
  await uvsadm('-A', '-t', '192.168.20.23:80', '-s', 'wlc');
  await uvsadm('-a', '-t', '192.168.20.23:80', '-r', '192.168.20.1:80', '-g');
  await uvsadm('-a', '-t', '192.168.20.23:80', '-r', '192.168.30.1:80', '-i');
  // keepalived: a real web server on loopback (up) and a port nobody listens on (down).
  backend = createServer((_req, res) => res.end('ok\n'));
  await new Promise<void>((r) => backend!.listen(0, '127.0.0.1', r));
  const up = (backend.address() as AddressInfo).port;
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(
    conf,
    `virtual_server 10.0.0.99 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  sorry_server 127.0.0.3 80
  real_server 127.0.0.1 ${up} {
    weight 1
    HTTP_GET { url { path / status_code 200 } connect_timeout 1 retry 0 }
  }
  real_server 127.0.0.2 ${up} {
    weight 1
    TCP_CHECK { connect_timeout 1 retry 0 }
  }
}
`,
  );
  keepalived = new KeepalivedRunner(conf, director, () => {});
  keepalived.load();
  web = new WebView(director, keepalived);
  const addr = await web.listen('127.0.0.1:0');
  origin = `http://127.0.0.1:${addr.port}`;
  browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1100, height: 800 },
  });
  page = await browser.newPage();
});

after(async () => {
  if (ticker) clearInterval(ticker);
  await browser?.close();
  web?.close();
  keepalived?.stop();
  control.close();
  backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the page shows each virtual service, each real server and its method', async () => {
  await page.goto(origin);
  await page.waitForSelector('[data-rs="192.168.20.2:8080"]', { timeout: 10_000 });
  const methods = await page.$$eval('[data-rs]', (els) =>
    els.map(
      (e) =>
        `${e.closest('section')?.querySelector('h2')?.firstChild?.textContent} ${e.getAttribute('data-rs')} ${e.getAttribute('data-method')}`,
    ),
  );
  for (const line of [
    'TCP 192.168.10.23:80 192.168.20.1:8080 Masq',
    'TCP 192.168.10.23:80 192.168.20.2:8080 Masq',
    'TCP 192.168.20.23:80 192.168.20.1:80 Route',
    'TCP 192.168.20.23:80 192.168.30.1:80 Tunnel',
  ])
    assert.ok(methods.includes(line), `${line} in ${methods.join('; ')}`);
  const text = await page.textContent('body');
  assert.match(text ?? '', /Masq \(NAT\).*Route \(DR\)|Route \(DR\).*Masq \(NAT\)/s);
  assert.match(text ?? '', /Tunnel \(IPIP\)/);
  assert.match(text ?? '', /scheduler wlc/);
});

test('a real server added with uvsadm appears without a reload within 5 s', async () => {
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  await uvsadm('-a', '-t', '192.168.10.23:80', '-r', '192.168.20.3:8080', '-m', '-w', '1');
  await page.waitForSelector('[data-rs="192.168.20.3:8080"][data-method="Masq"]', {
    timeout: 5000,
  });
  assert.equal(
    await page.evaluate(() => (window as unknown as { marker?: number }).marker),
    42,
    'same page, not reloaded',
  );
});

test('checker states from the keepalived runner: one real server UP, the other DOWN', async () => {
  await page.waitForFunction(
    () => {
      const t = (sel: string) => document.querySelector(sel)?.textContent ?? '';
      return (
        /DOWN/.test(t('section[id="svc-TCP-10-0-0-99-80"]')) &&
        /HTTP_GET: UP/.test(t('section[id="svc-TCP-10-0-0-99-80"]'))
      );
    },
    undefined,
    { timeout: 20_000 },
  );
  const text = (await page.textContent('section[id="svc-TCP-10-0-0-99-80"]')) ?? '';
  assert.match(text, /127\.0\.0\.2:\d+.*TCP_CHECK: DOWN/s);
  assert.match(text, /out of the table/);
  assert.match(text, /sorry server: standing by/);
});

test('connections and counters move when traffic flows; a screenshot is taken and is no blank page', async () => {
  traffic('192.168.10.23', 9);
  traffic('192.168.20.23', 4);
  await page.waitForFunction(
    () =>
      /active [1-9]/.test(
        document.querySelector('[data-rs="192.168.20.2:8080"]')?.textContent ?? '',
      ),
    undefined,
    { timeout: 5000 },
  );
  traffic('192.168.10.23', 6);
  await page.waitForTimeout(700); // dots in flight (the animation is what is looked at)
  const path =
    process.env.UPDATE_SCREENSHOT === '1' ? README_SCREENSHOT : join(dir, 'web-view.png');
  const png = await page.screenshot({ path, fullPage: true });
  // Count distinct colours in the browser's own decoding of the PNG.
  const colours = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4)
      seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return seen.size;
  }, png.toString('base64'));
  assert.ok(colours > 200, `${colours} distinct colours`);
});

test('the web server answers 404 on an unknown path and streams events on /events', async () => {
  const r = await fetch(`${origin}/nope`);
  assert.equal(r.status, 404);
  const ctl = new AbortController();
  const ev = await fetch(`${origin}/events`, { signal: ctl.signal });
  assert.equal(ev.headers.get('content-type'), 'text/event-stream');
  const reader = ev.body!.getReader();
  const { value } = await reader.read();
  ctl.abort();
  assert.match(Buffer.from(value!).toString(), /^event: state\ndata: \{"services":\[/);
});
