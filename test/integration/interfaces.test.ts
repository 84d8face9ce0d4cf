// Interfaces come and go under a running uvsd (AF_PACKET): one down at start is served once it
// comes up; one created later (a second client LAN) is served; one removed is dropped cleanly,
// the rest served on. Each step checked with real requests through the director.
//
//   client ── lan10 ── eth1 [director] eth2 ── lan20 ── S1, S2
//   client2 (a namespace of this test) ── veth ── eth3 [director]   (created, then removed)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import { until } from '../helpers/poll.js';
import { natLab } from './helpers/nat-lab.js';

const lab = natLab();
const CLIENT2 = `uvti${process.pid.toString(36)}-c2`;
let uvsd: StartedProcess;

function sh(args: string[]): void {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
}

function page(ns: string): string {
  const r = spawnSync(
    'ip',
    ['netns', 'exec', ns, 'curl', '-sS', '--max-time', '2', 'http://192.168.10.23/'],
    { encoding: 'utf8' },
  );
  return r.status === 0 ? r.stdout.trim() : `FAIL ${r.stderr.trim()}`;
}

const served = (p: string): boolean => p === PAGE_S1 || p === PAGE_S2;

before(() => {
  lab.build();
  // The director's client side is down when uvsd starts (a pulled cable).
  lab.run('director', 'ip', ['link', 'set', 'eth1', 'down']);
  uvsd = lab.startDirector();
  lab.configure();
});

after(() => {
  spawnSync('ip', ['netns', 'del', CLIENT2]);
  lab.destroy();
});

test('an interface down at start is served once it comes up', async () => {
  assert.equal(uvsd.child.exitCode, null, uvsd.output());
  lab.run('director', 'ip', ['link', 'set', 'eth1', 'up']);
  await until(() => served(page(lab.ns('client'))), {
    what: 'a page through eth1 once up',
    timeoutMs: 10_000,
    lastSeen: () => uvsd.output(),
  });
});

test('an interface created later is served; removed, it is dropped and the rest goes on', async () => {
  const dir = lab.ns('director');
  sh(['ip', 'netns', 'add', CLIENT2]);
  sh([
    'ip',
    'link',
    'add',
    'eth3',
    'netns',
    dir,
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    CLIENT2,
  ]);
  sh(['ip', '-n', dir, 'addr', 'add', '192.168.30.254/24', 'dev', 'eth3']);
  sh(['ip', '-n', dir, 'link', 'set', 'eth3', 'up']);
  sh(['ip', '-n', CLIENT2, 'addr', 'add', '192.168.30.1/24', 'dev', 'eth0']);
  sh(['ip', '-n', CLIENT2, 'link', 'set', 'eth0', 'up']);
  sh(['ip', '-n', CLIENT2, 'link', 'set', 'lo', 'up']);
  sh(['ip', '-n', CLIENT2, 'route', 'add', 'default', 'via', '192.168.30.254']);
  // The real servers answer 192.168.30.0/24 through the director too.
  for (const s of ['s1', 's2'])
    lab.run(s, 'ip', ['route', 'replace', '192.168.30.0/24', 'via', '192.168.20.254']);
  await until(() => served(page(CLIENT2)), {
    what: 'a page from the new LAN through eth3',
    timeoutMs: 10_000,
    lastSeen: () => uvsd.output(),
  });
  assert.match(uvsd.output(), /serving eth3 \(ifindex \d+\), new/);
  sh(['ip', '-n', dir, 'link', 'del', 'eth3']);
  await until(() => /eth3 \(ifindex \d+\) is gone: not served/.test(uvsd.output()), {
    what: 'uvsd dropping eth3',
    timeoutMs: 10_000,
    lastSeen: () => uvsd.output(),
  });
  assert.equal(uvsd.child.exitCode, null, 'uvsd is still running');
  const pages = [1, 2, 3, 4].map(() => page(lab.ns('client')));
  assert.ok(pages.every(served), pages.join(' | '));
});
