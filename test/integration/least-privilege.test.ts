// uvsd with least privilege (issue 11): started as an unprivileged user with only CAP_NET_RAW
// and CAP_NET_ADMIN (ambient, as uvsd.service gives them), it serves the course's NAT maquette;
// the tools it runs (ip, nft, ethtool) inherit the capabilities (the guard is installed); its
// control socket is for root and --socket-group only: uvsadm as root and as a member of that
// group reach it, another user is told "permission denied" and what is needed.
//
//   client ── lan10 ── eth1 [director: uvsd as uvt…d, caps net_raw+net_admin] eth2 ── lan20 ── S1, S2
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, cpSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, UVSADM, UVSD, type Lab } from '../../src/lab/lab.js';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import { fetchPages, natLab } from './helpers/nat-lab.js';

const tag = `uvt${process.pid.toString(36)}`;
/** The daemon's user (and group, the socket's), a member of that group, and a stranger. */
const DAEMON = `${tag}d`;
const MEMBER = `${tag}m`;
const STRANGER = `${tag}x`;
const RUN_DIR = `/run/${tag}-uvs`;
const SOCKET = join(RUN_DIR, 'uvsd.sock');
const CAPS = '+net_raw,+net_admin';
let uvsd: StartedProcess;

function sh(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function idOf(user: string, flag: '-u' | '-g'): number {
  return Number(sh('id', [flag, user]).trim());
}

/** True when every folder up to `file` lets others in and `file` lets them read it. */
function openToOthers(file: string): boolean {
  let path = file;
  if ((statSync(path).mode & 0o004) === 0) return false;
  while ((path = dirname(path)) !== '/') if ((statSync(path).mode & 0o001) === 0) return false;
  return true;
}

/** The tree the unprivileged users run: this one, or a copy when it is closed to them (/root). */
const TREE = openToOthers(UVSD) ? undefined : `/tmp/${tag}-tree`;
const bins = TREE
  ? { uvsd: join(TREE, 'dist/src/bin/uvsd.js'), uvsadm: join(TREE, 'dist/src/bin/uvsadm.js') }
  : { uvsd: UVSD, uvsadm: UVSADM };

function copyTree(): void {
  if (!TREE) return;
  for (const part of ['dist', 'node_modules', 'package.json'])
    cpSync(join(REPO_ROOT, part), join(TREE, part), { recursive: true });
  sh('chmod', ['-R', 'a+rX', TREE]);
}

const lab: Lab = natLab({
  socket: SOCKET,
  uvsdCommand: [
    'setpriv',
    '--reuid',
    DAEMON,
    '--regid',
    DAEMON,
    '--init-groups',
    `--inh-caps=${CAPS}`,
    `--ambient-caps=${CAPS}`,
    process.execPath,
    bins.uvsd,
  ],
});

/** uvsadm as `user` (root when undefined) in the director's namespace. */
function uvsadmAs(user: string | undefined, args: readonly string[]) {
  const as = user ? ['setpriv', '--reuid', user, '--regid', user, '--init-groups'] : [];
  return spawnSync(
    'ip',
    [
      'netns',
      'exec',
      lab.ns('director'),
      ...as,
      process.execPath,
      bins.uvsadm,
      '--socket',
      SOCKET,
      ...args,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
}

before(() => {
  sh('useradd', [
    '--system',
    '--user-group',
    '--no-create-home',
    '--shell',
    '/usr/sbin/nologin',
    DAEMON,
  ]);
  for (const u of [MEMBER, STRANGER])
    sh('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      u,
    ]);
  sh('usermod', ['-a', '-G', DAEMON, MEMBER]);
  // What systemd's RuntimeDirectory=uvs does: a run-time folder that belongs to the daemon.
  mkdirSync(RUN_DIR, { mode: 0o755 });
  chownSync(RUN_DIR, idOf(DAEMON, '-u'), idOf(DAEMON, '-g'));
  copyTree();
  lab.build();
  uvsd = lab.startDirector(['--socket-group', DAEMON]);
  lab.configure();
});

after(() => {
  lab.destroy();
  rmSync(RUN_DIR, { recursive: true, force: true });
  if (TREE) rmSync(TREE, { recursive: true, force: true });
  for (const u of [MEMBER, STRANGER, DAEMON]) spawnSync('userdel', [u]);
  spawnSync('groupdel', [DAEMON]);
});

test('uvsd runs as an unprivileged user with only CAP_NET_RAW and CAP_NET_ADMIN, and serves the NAT maquette', () => {
  const status = readFileSync(`/proc/${uvsd.child.pid}/status`, 'utf8');
  const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(status)?.[1]?.trim();
  assert.equal(field('Uid')?.split(/\s+/)[0], String(idOf(DAEMON, '-u')), 'not root');
  // CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13: 0x3000, and nothing else.
  assert.equal(field('CapEff'), '0000000000003000');
  assert.equal(field('CapAmb'), '0000000000003000', 'ambient: the tools it runs get them too');
  assert.deepEqual(fetchPages(lab, 4).sort(), [PAGE_S1, PAGE_S1, PAGE_S2, PAGE_S2]);
  // nft ran as that user with the inherited capabilities: the guard is there.
  assert.equal(
    lab.run('director', 'nft', ['list', 'table', 'netdev', 'uvs']).code,
    0,
    'guard installed',
  );
});

test('the control socket is root and --socket-group only: root and a member reach uvsd, another user is told what is needed', () => {
  assert.equal(uvsadmAs(undefined, ['-Ln']).status, 0, 'root');
  const member = uvsadmAs(MEMBER, ['-Ln']);
  assert.equal(member.status, 0, member.stderr);
  assert.match(member.stdout, /TCP {2}192\.168\.10\.23:80 rr/);
  const stranger = uvsadmAs(STRANGER, ['-Ln']);
  assert.notEqual(stranger.status, 0);
  assert.equal(
    stranger.stderr,
    `uvsadm: permission denied on ${SOCKET}: uvsadm needs root, or membership of the control socket's group "${DAEMON}"\n`,
  );
  assert.doesNotMatch(stranger.stderr, /is uvsd running/);
});

test('without --socket-group the socket is root-only, and uvsadm says so', async () => {
  uvsd.child.kill('SIGTERM');
  await new Promise((r) => uvsd.child.once('exit', r));
  uvsd = lab.startDirector(['--restore']);
  const member = uvsadmAs(MEMBER, ['-Ln']);
  assert.notEqual(member.status, 0);
  assert.match(
    member.stderr,
    /^uvsadm: permission denied on .*: uvsadm needs root \(the control socket is root-only; uvsd's --socket-group NAME opens it to a group\)$/m,
  );
  assert.equal(uvsadmAs(undefined, ['-Sn']).stdout.split('\n').length, 4, 'the rules came back');
});
