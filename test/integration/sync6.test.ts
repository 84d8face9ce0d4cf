// Connection sync of IPv6 services between two uvsd directors, with ipvsadm's commands: the
// master's sync daemon (`uvsadm --start-daemon master`) sends its IPv6 connections and
// persistence templates as struct ip_vs_sync_v6 entries to 224.0.0.81:8848 on the servers' LAN,
// the backup's (`--start-daemon backup`) holds them in its IPv6 table (`uvsadm -Lnc` on the
// backup), and after a takeover the backup carries a long stream on to the same real server.
//
//   client 2001:db8:10::1 ── lan10 ──┬── eth1 [director1 ::253, sync master] eth2 ──┬── lan20 ── S1 2001:db8:20::1
//     (VIP 2001:db8:10::23 pinned   └── eth1 [director2 ::252, sync backup] eth2 ──┘          S2 2001:db8:20::2
//      to director1's MAC)                 eth2 also 192.168.20.253 / .252: the sync multicast
//
// No VRRP here (IPv6 VIPs are VRRP v3's, not this test's subject): the client's neighbour entry
// for the VIP is permanent, on director1's MAC, and the servers' default route goes through
// director1; the takeover moves both to director2, as VRRP's unsolicited advertisements and
// floating gateway would.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Lab, UVSADM, UVSD, type RunResult } from '../../src/lab/lab.js';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import { DIRECTORS, pair6Maquette, VIP6, type Director } from './helpers/pair6-maquette.js';
import { until } from '../helpers/poll.js';

const VIP = VIP6;
const SYNC_ID = '6';

const MAQUETTE = pair6Maquette({
  name: 'sync6',
  description: 'two IPv6 NAT directors, connections synced from director1 to director2',
  serverGateway: '2001:db8:20::253',
  ipv4OnServerLan: true,
});

const lab = new Lab(MAQUETTE, `sy6${process.pid.toString(36)}`);
const stateDir = mkdtempSync(join(tmpdir(), 'uvs-sync6-'));

function uvsadm(d: Director, args: readonly string[]): RunResult {
  return lab.run(d, process.execPath, [UVSADM, ...args]);
}

function uvsadmOk(d: Director, args: readonly string[]): string {
  const r = uvsadm(d, args);
  assert.equal(r.code, 0, `${d}: uvsadm ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The MAC of a host's interface. */
function macOf(host: string, ifName: string): string {
  const r = lab.run(host, 'cat', [`/sys/class/net/${ifName}/address`]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** The client sends to the VIP through `d` (a permanent neighbour entry, as after VRRP's NA). */
function vipThrough(d: Director): void {
  const r = lab.run('client', 'ip', [
    '-6',
    'neigh',
    'replace',
    VIP,
    'lladdr',
    macOf(d, 'eth1'),
    'dev',
    'eth0',
    'nud',
    'permanent',
  ]);
  assert.equal(r.code, 0, r.stderr);
}

async function startDirector(d: Director): Promise<void> {
  // The suite's extra uvsd options (UVS_LAB_UVSD_ARGS, e.g. --workers 2), as Lab gives its own.
  const extra = (process.env['UVS_LAB_UVSD_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const p = lab.startIn(d, 'uvsd', process.execPath, [
    UVSD,
    '--no-restore',
    '--state-dir',
    join(stateDir, d),
    ...extra,
  ]);
  await until(() => uvsadm(d, ['-Ln']).code === 0 || p.child.exitCode !== null, {
    what: `uvsd answers uvsadm in ${d}`,
    timeoutMs: 15_000,
    lastSeen: () => p.output(),
  });
  assert.equal(p.child.exitCode, null, `uvsd in ${d} exited: ${p.output()}`);
  for (const port of [80, 81]) {
    uvsadmOk(d, [
      '-A',
      '-t',
      `[${VIP}]:${port}`,
      '-s',
      'rr',
      ...(port === 81 ? ['-p', '300'] : []),
    ]);
    for (const s of [1, 2])
      uvsadmOk(d, ['-a', '-t', `[${VIP}]:${port}`, '-r', `[2001:db8:20::${s}]:80`, '-m']);
  }
}

before(async () => {
  lab.build();
  for (const d of ['director1', 'director2'] as const) await startDirector(d);
  uvsadmOk('director1', [
    '--start-daemon',
    'master',
    '--mcast-interface',
    'eth2',
    '--syncid',
    SYNC_ID,
  ]);
  uvsadmOk('director2', [
    '--start-daemon',
    'backup',
    '--mcast-interface',
    'eth2',
    '--syncid',
    SYNC_ID,
  ]);
  vipThrough('director1');
});

after(() => {
  lab.destroy();
  rmSync(stateDir, { recursive: true, force: true });
});

/** `uvsadm -Lnc`'s connection rows of a director. */
const rows = (d: Director): string[] =>
  uvsadmOk(d, ['-Lnc'])
    .split('\n')
    .filter((l) => /^(TCP|UDP|IP) /.test(l));

/** Client port → real server of the IPv6 connections to [VIP]:port in -Lnc rows. */
function byClientPort(lines: readonly string[], vport: number): Map<number, string> {
  const re = new RegExp(
    String.raw`\[2001:db8:10::1\]:(\d+) +\[2001:db8:10::23\]:${vport} +\[(2001:db8:20::[12])\]:80$`,
  );
  const out = new Map<number, string>();
  for (const l of lines) {
    const m = re.exec(l);
    if (m && m[1] !== '0') out.set(Number(m[1]), m[2]!);
  }
  return out;
}

test('-L --daemon: director1 runs the master sync daemon, director2 the backup', () => {
  assert.match(
    uvsadmOk('director1', ['-L', '--daemon']),
    /^master sync daemon \(mcast=eth2, syncid=6, maxlen=1472, group=224\.0\.0\.81, port=8848, ttl=1\)$/m,
  );
  assert.match(
    uvsadmOk('director2', ['-L', '--daemon']),
    /^backup sync daemon \(mcast=eth2, syncid=6, maxlen=1472, group=224\.0\.0\.81, port=8848, ttl=1\)$/m,
  );
});

test("the master's IPv6 connections appear in the backup's -Lnc with their IPv6 addresses and real servers", async () => {
  const pages = [1, 2, 3, 4].map(() => {
    const r = lab.curl('client', `http://[${VIP}]/`, 5);
    return r.code === 0 ? r.stdout.trim() : `FAIL ${r.stderr}`;
  });
  assert.deepEqual(pages.sort(), [PAGE_S1, PAGE_S1, PAGE_S2, PAGE_S2]);
  const master = byClientPort(rows('director1'), 80);
  assert.equal(master.size, 4, rows('director1').join('\n'));
  const held = await until(
    () => {
      const b = byClientPort(rows('director2'), 80);
      return [...master.keys()].every((p) => b.has(p)) && b;
    },
    {
      what: "the master's 4 connections held by the backup",
      timeoutMs: 15_000,
      lastSeen: () => rows('director2').join('\n'),
    },
  );
  // Each one bound to the real server the master chose.
  for (const [port, dest] of master) assert.equal(held.get(port), dest, `client port ${port}`);
  assert.deepEqual([...new Set(held.values())].sort(), ['2001:db8:20::1', '2001:db8:20::2']);
});

test("a persistent IPv6 service's template is synced with its connection", async () => {
  const first = lab.curl('client', `http://[${VIP}]:81/`, 5);
  const second = lab.curl('client', `http://[${VIP}]:81/`, 5);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(second.stdout, first.stdout, 'persistence: one real server');
  const dest = first.stdout.trim() === PAGE_S1 ? '2001:db8:20::1' : '2001:db8:20::2';
  const template = new RegExp(
    String.raw`^TCP +\d\d:\d\d +NONE +\[2001:db8:10::1\]:0 +\[2001:db8:10::23\]:81 +\[${dest}\]:80$`,
    'm',
  );
  assert.match(uvsadmOk('director1', ['-Lnc']), template, 'the master has the template');
  await until(() => template.test(uvsadmOk('director2', ['-Lnc'])), {
    what: 'the template held by the backup',
    timeoutMs: 15_000,
    lastSeen: () => uvsadmOk('director2', ['-Lnc']),
  });
  const conns = byClientPort(rows('director2'), 81);
  assert.ok(conns.size >= 1, rows('director2').join('\n'));
  for (const d of conns.values()) assert.equal(d, dest);
});

test('after a takeover the backup carries a long IPv6 stream on to the same real server: no missing line', async () => {
  const n = 120;
  const seenBefore = byClientPort(rows('director1'), 80);
  const stream = lab.topo.start('client', 'curl', [
    '-sS',
    '--max-time',
    '40',
    `http://[${VIP}]/lines?n=${n}&ms=100`,
  ]);
  const exit = new Promise<number | null>((r) =>
    stream.child.exitCode !== null ? r(stream.child.exitCode) : stream.child.once('exit', r),
  );
  // The stream's connection, ESTABLISHED, held by the backup, while lines are still to come.
  const [port, dest] = await until(
    () => {
      const live = [...byClientPort(rows('director1'), 80)].find(([p]) => !seenBefore.has(p));
      if (!live) return false;
      const held = rows('director2').find(
        (l) => l.includes(`[2001:db8:10::1]:${live[0]} `) && / ESTABLISHED /.test(l),
      );
      return held !== undefined && live;
    },
    {
      what: "the stream's connection held by the backup",
      timeoutMs: 15_000,
      lastSeen: () =>
        `backup:\n${rows('director2').join('\n')}\nmaster:\n${rows('director1').join('\n')}\n` +
        `stream: ${stream.output().slice(-300)}`,
    },
  );
  assert.ok(!/line 60\b/.test(stream.output()), 'the stream is still going at the takeover');
  // Takeover: director1's cables pulled; the client's VIP and the servers' gateway move to director2.
  lab.topo.cable('director1', 'eth1', false);
  lab.topo.cable('director1', 'eth2', false);
  vipThrough('director2');
  for (const s of ['s1', 's2']) lab.topo.route(s, 'default', `2001:db8:20::${DIRECTORS.director2}`);
  const code = await exit;
  assert.equal(code, 0, stream.output().slice(-500));
  assert.deepEqual(
    stream.output().trim().split('\n'),
    Array.from({ length: n }, (_, k) => `line ${k + 1}`),
  );
  // The backup forwarded it: its entry for the stream, to the same real server, saw the end.
  const entry = rows('director2').find((l) => l.includes(`[2001:db8:10::1]:${port} `));
  assert.ok(entry, rows('director2').join('\n'));
  assert.ok(entry.endsWith(`[${dest}]:80`), entry);
  assert.match(entry, /TIME_WAIT|CLOSE|FIN_WAIT|LAST_ACK|CLOSE_WAIT/, entry);
});
