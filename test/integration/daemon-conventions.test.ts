// uvsd as a daemon operators can trust (issue 11), on the course's NAT maquette: one uvsd per
// network namespace (a second refuses and leaves the first serving), keepalived's signals
// (SIGUSR1 state, SIGUSR2 counters, and no Node inspector whatever NODE_OPTIONS says), kill -9
// and a restart that takes over the lock, socket and pid file and restores the rules, syslog,
// -t touching nothing, and a UDP_CHECK whose real server has no route (it used to kill uvsd).
//
//   client ── lan10 ── eth1 [director] eth2 ── lan20 ── S1, S2
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Lab } from '../../src/lab/lab.js';
import { UVSD } from '../../src/lab/lab.js';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import { fetchPages, natLab } from './helpers/nat-lab.js';
import { namespaceRunFiles } from '../../src/control/socket-path.js';

const VIP = '192.168.10.23';
const dir = mkdtempSync(join(tmpdir(), 'uvs-daemon-'));
const lab: Lab = natLab();
let uvsd: StartedProcess;
const extraNs: string[] = [];

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` every 100 ms until it returns a value, for at most `ms`. */
async function waitFor<T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** /run/uvs/net-<inode of the director's namespace>: the prefix of its run-time files. */
function runBase(): string {
  return `/run/uvs/net-${statSync(`/run/netns/${lab.ns('director')}`).ino}`;
}

function listening(ns: string): string {
  return spawnSync('ip', ['netns', 'exec', ns, 'ss', '-Hltn'], { encoding: 'utf8' }).stdout;
}

function exited(p: StartedProcess): Promise<void> {
  return p.child.exitCode !== null
    ? Promise.resolve()
    : new Promise((r) => p.child.once('exit', () => r()));
}

async function restartDirector(args: readonly string[] = []): Promise<void> {
  uvsd.child.kill('SIGTERM');
  await exited(uvsd);
  uvsd = lab.startDirector(args);
}

before(() => {
  lab.build();
  // --inspect-port alone opens nothing; with it, a SIGUSR1 that reached Node would open the
  // inspector on 9339 instead of 9229: both are checked.
  process.env['NODE_OPTIONS'] = '--inspect-port=0.0.0.0:9339';
  try {
    uvsd = lab.startDirector();
  } finally {
    delete process.env['NODE_OPTIONS'];
  }
  lab.configure();
});

after(() => {
  lab.destroy();
  for (const ns of extraNs) spawnSync('ip', ['netns', 'del', ns]);
  rmSync(dir, { recursive: true, force: true });
});

test('a second uvsd in the namespace refuses to start, names the first, and leaves it serving', async () => {
  const pid = uvsd.child.pid!;
  const second = lab.run('director', process.execPath, [UVSD, '--state-dir', lab.stateDir]);
  assert.equal(second.code, 1);
  assert.match(
    second.stderr,
    new RegExp(`uvsd: already running in this network namespace, pid ${pid}$`, 'm'),
  );
  assert.equal(
    readFileSync(`${runBase()}.lock`, 'utf8').trim(),
    String(pid),
    'the lock names the first',
  );
  await sleep(500);
  assert.equal(uvsd.child.exitCode, null, 'the first uvsd still runs');
  assert.deepEqual(fetchPages(lab, 2).sort(), [PAGE_S1, PAGE_S2], 'and still forwards');
  assert.equal(
    lab.run('director', 'ip', ['link', 'show', 'uvsfwm0']).code,
    0,
    'its mark tap stays',
  );
});

test('SIGUSR1 writes the state and SIGUSR2 the counters, and no inspector listens', async () => {
  const data = `${runBase()}.data`;
  const stats = `${runBase()}.stats`;
  rmSync(data, { force: true });
  rmSync(stats, { force: true });
  uvsd.child.kill('SIGUSR1');
  const text = await waitFor('the data file', () =>
    existsSync(data) ? readFileSync(data, 'utf8') : undefined,
  );
  assert.match(text, /^TCP {2}192\.168\.10\.23:80 rr$/m);
  assert.match(text, /^ {2}-> 192\.168\.20\.1:80 +Masq +1 /m);
  await waitFor('the log line', () =>
    uvsd.output().includes(`state written to ${data}`) ? true : undefined,
  );
  uvsd.child.kill('SIGUSR2');
  const counters = await waitFor('the stats file', () =>
    existsSync(stats) ? readFileSync(stats, 'utf8') : undefined,
  );
  assert.match(counters, /^ io\.\S+ \d+$/m);
  assert.match(counters, /Conns +InPkts +OutPkts/);
  // Node opens its inspector on SIGUSR1 (9229, or --inspect-port's 9339): not in uvsd.
  await sleep(500);
  const ports = listening(lab.ns('director'));
  assert.doesNotMatch(ports, /:(9229|9339)\b/, ports);
  assert.equal(uvsd.child.exitCode, null);
  assert.equal(statSync(data).mode & 0o777, 0o600, 'root-readable only');
});

test('uvsd refuses to start with an inspector asked for in NODE_OPTIONS, and nothing listens', () => {
  // (--inspect-brk would stop Node before uvsd's code runs: the README says so, the units unset
  // NODE_OPTIONS.)
  for (const opt of ['--inspect=127.0.0.1:9341']) {
    const r = spawnSync(
      'ip',
      ['netns', 'exec', lab.ns('director'), process.execPath, UVSD, '--state-dir', lab.stateDir],
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: opt }, timeout: 20_000 },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /refusing to start with the Node inspector \(--inspect=127\.0\.0\.1:9341\)/,
    );
  }
  assert.doesNotMatch(listening(lab.ns('director')), /:9341\b/);
  assert.equal(lab.uvsadm(['-Ln']).code, 0, 'the running uvsd is untouched');
});

test('kill -9: the next uvsd takes over the lock, socket and pid file, restores the rules and logs to syslog', async () => {
  const before = lab.uvsadm(['-Sn']).stdout;
  assert.match(before, /192\.168\.10\.23:80/);
  uvsd.child.kill('SIGKILL');
  await exited(uvsd);
  assert.ok(existsSync(`${runBase()}.sock`), 'the killed uvsd left its socket');
  const pidFile = join(dir, 'uvsd.pid');
  writeFileSync(pidFile, `${uvsd.child.pid}\n`); // a stale pid file, as kill -9 leaves one
  const sock = join(dir, 'log.sock');
  const syslog = spawn('socat', ['-u', `UNIX-RECV:${sock}`, 'STDOUT'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let received = '';
  syslog.stdout.on('data', (d: Buffer) => (received += d.toString()));
  try {
    await waitFor('socat', () => (existsSync(sock) ? true : undefined));
    uvsd = lab.startDirector([
      '--restore',
      '-p',
      pidFile,
      '-S',
      'local3',
      '--syslog-socket',
      sock,
      '-l',
    ]);
    assert.equal(lab.uvsadm(['-Sn']).stdout, before, 'the rules are back');
    assert.equal(readFileSync(pidFile, 'utf8').trim(), String(uvsd.child.pid));
    assert.deepEqual(fetchPages(lab, 2).sort(), [PAGE_S1, PAGE_S2]);
    // local3 (19) * 8 + info (6) = 158, tagged uvsd[pid].
    await waitFor('the syslog line', () => (received.includes('restored 3') ? true : undefined));
    assert.match(
      received,
      new RegExp(`<158>.* uvsd\\[${uvsd.child.pid}\\]: restored 3 rule\\(s\\) from `),
    );
    assert.match(
      uvsd.output(),
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z uvsd: serving /m,
      '-l: console too, timestamped',
    );
  } finally {
    syslog.kill();
  }
  await restartDirector();
  assert.ok(!existsSync(pidFile), 'the pid file goes with its uvsd');
});

test('--no-restore starts empty; a change is saved (and logged with -D) and restored at the next start', async () => {
  await restartDirector(['--no-restore', '-D']);
  assert.doesNotMatch(lab.uvsadm(['-Ln']).stdout, /192\.168\.10\.23/);
  assert.equal(lab.uvsadm(['-A', '-u', `${VIP}:53`, '-s', 'rr']).code, 0);
  await waitFor('-D: the request logged', () =>
    uvsd.output().includes('uvsd: control request addService [{"key":{"kind":"addr","proto":"udp"')
      ? true
      : undefined,
  );
  assert.doesNotMatch(uvsd.output(), /control request services/, 'listings are not logged');
  assert.equal(readFileSync(join(lab.stateDir, 'rules'), 'utf8'), `-A -u ${VIP}:53 -s rr\n`);
  await restartDirector(['--restore']);
  assert.equal(lab.uvsadm(['-Sn']).stdout, `-A -u ${VIP}:53 -s rr\n`);
  assert.equal(lab.uvsadm(['-C']).code, 0);
  lab.configure();
});

test('a UDP_CHECK whose real server has no route is only that server DOWN; -f saves nothing', async () => {
  const saved = readFileSync(join(lab.stateDir, 'rules'), 'utf8');
  lab.startUdpEcho('s1', 53, 'S1');
  lab.waitForPort('s1', 53, 'udp');
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(
    conf,
    `virtual_server ${VIP} 53 {
  protocol UDP
  lb_kind NAT
  delay_loop 1
  real_server 10.250.0.1 53 {
    UDP_CHECK {
      connect_timeout 1
    }
  }
  real_server 192.168.20.1 53 {
    UDP_CHECK {
      connect_timeout 1
    }
  }
}
`,
  );
  await restartDirector(['-f', conf]);
  const down = await waitFor(
    'the DOWN line',
    () =>
      /virtual_server 192\.168\.10\.23 53: 10\.250\.0\.1:53 DOWN \(UDP_CHECK 10\.250\.0\.1:53: ENETUNREACH\)/.exec(
        uvsd.output(),
      )?.[0],
  );
  assert.ok(down);
  await sleep(2500); // more check cycles: each used to be a crash
  assert.equal(uvsd.child.exitCode, null, uvsd.output());
  const listing = lab.uvsadm(['-Ln']).stdout;
  assert.match(listing, /^UDP {2}192\.168\.10\.23:53 wlc$/m);
  assert.match(listing, /-> 192\.168\.20\.1:53/);
  assert.doesNotMatch(listing, /10\.250\.0\.1/);
  assert.match(
    uvsd.output(),
    /^\d{4}-\d\d-\d\dT[\d:.]+Z uvsd: virtual_server 192\.168\.10\.23 53: /m,
    'timestamped, naming the virtual server',
  );
  assert.equal(readFileSync(join(lab.stateDir, 'rules'), 'utf8'), saved, 'nothing saved with -f');
  // SIGUSR1's data file shows each real server's checkers.
  const data = `${runBase()}.data`;
  rmSync(data, { force: true });
  uvsd.child.kill('SIGUSR1');
  const text = await waitFor('the data file', () =>
    existsSync(data) ? readFileSync(data, 'utf8') : undefined,
  );
  assert.match(text, /^ virtual_server 192\.168\.10\.23 53: quorum up$/m);
  assert.match(text, /^ {3}real_server 10\.250\.0\.1 53: DOWN, weight 1$/m);
  assert.match(text, /^ {5}UDP_CHECK: down \(UDP_CHECK 10\.250\.0\.1:53: ENETUNREACH\)$/m);
  assert.match(text, /^ {3}real_server 192\.168\.20\.1 53: UP, weight 1$/m);
  await restartDirector();
});

test('-t checks a keepalived.conf and touches nothing: no lock, socket, guard or tap', () => {
  const ns = `${lab.topo.prefix}-t`;
  spawnSync('ip', ['netns', 'add', ns]);
  extraNs.push(ns);
  const ino = statSync(`/run/netns/${ns}`).ino;
  // The kernel reuses namespace inodes: files of an earlier namespace's uvsd killed with -9 may
  // carry this inode's name; what this test checks is that -t creates none.
  for (const f of namespaceRunFiles(ino)) rmSync(f, { force: true });
  const good = join(dir, 'good.conf');
  const bad = join(dir, 'bad.conf');
  writeFileSync(
    good,
    `virtual_server ${VIP} 80 {\n  lb_kind NAT\n  real_server 192.168.20.1 80 {\n    TCP_CHECK {\n    }\n  }\n}\n`,
  );
  writeFileSync(bad, `virtual_server ${VIP} 80 {\n  lb_kind NATT\n}\n`);
  const t = (file: string) =>
    spawnSync('ip', ['netns', 'exec', ns, process.execPath, UVSD, '-t', '-f', file], {
      encoding: 'utf8',
    });
  const ok = t(good);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, /good\.conf: configuration OK \(1 virtual server\(s\)\)/);
  const ko = t(bad);
  assert.equal(ko.status, 1);
  assert.match(ko.stderr, /^uvsd: .*bad\.conf:2: unknown lb_kind "NATT"/m);
  const missing = t(join(dir, 'none.conf'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /none\.conf.*ENOENT/);
  for (const f of ['sock', 'lock']) assert.ok(!existsSync(`/run/uvs/net-${ino}.${f}`), f);
  const nft = spawnSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'tables'], { encoding: 'utf8' });
  assert.equal(nft.stdout.trim(), '', 'no guard');
  const links = spawnSync('ip', ['-n', ns, '-o', 'link'], { encoding: 'utf8' }).stdout;
  assert.doesNotMatch(links, /uvsfwm0/, 'no tap');
});
