// uvsd -f keepalived.conf on the NAT maquette with a sorry server: real checkers against
// real servers, real failures (a web server stopped, a page changed, a script's verdict),
// quorum and the sorry server, and SIGHUP reloads.
//
//   client ── lan10 ── eth1 [director: uvsd -f] eth2 ── lan20 ──┬── S1 192.168.20.1
//                                                               ├── S2 192.168.20.2
//                                                               └── S3 192.168.20.3 (sorry)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Lab, REPO_ROOT } from '../../src/lab/lab.js';
import { KEEPALIVED_MAQUETTE, PAGE_S1, PAGE_S2, PAGE_SORRY } from '../../src/lab/maquette.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import { until } from '../helpers/poll.js';
import { count, fetchPages, tcpPassiveOpens } from './helpers/nat-lab.js';

const VIP = '192.168.10.23';
const dir = mkdtempSync(join(tmpdir(), 'uvs-ka-'));
const conf = join(dir, 'keepalived.conf');
const lab = new Lab(KEEPALIVED_MAQUETTE, `uvk${process.pid.toString(36)}`);
let uvsd: StartedProcess;

function genhash(host: string, ip: string): string {
  const r = lab.run(host, process.execPath, [
    join(REPO_ROOT, 'dist/src/bin/uvs-genhash.js'),
    '-s',
    ip,
    '-p',
    '80',
    '-u',
    '/',
  ]);
  assert.equal(r.code, 0, r.stderr);
  return /^MD5SUM = ([0-9a-f]{32})$/m.exec(r.stdout)![1]!;
}

/** Waits (bounded) until `uvsadm -Ln` satisfies `ok`; returns that listing. */
function untilListing(
  what: string,
  ok: (listing: string) => boolean,
  seconds: number,
): Promise<string> {
  let listing = '';
  return until(
    () => {
      listing = lab.uvsadm(['-Ln']).stdout;
      return ok(listing) && listing;
    },
    { what, timeoutMs: seconds * 1000, intervalMs: 200, lastSeen: () => listing },
  );
}

/** Waits (bounded) until `file` holds exactly `expected` (scripts run by uvsd append to it). */
function untilFileIs(file: string, expected: string, what: string): Promise<true> {
  return until(() => existsSync(file) && readFileSync(file, 'utf8') === expected, {
    what,
    timeoutMs: 3000,
    lastSeen: () => (existsSync(file) ? readFileSync(file, 'utf8') : '(no file)'),
  });
}

/** Waits (bounded) until uvsd has written `pattern` `times` times in all. */
function untilLogged(pattern: RegExp, times: number, what: string): Promise<true> {
  const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
  const counted = new RegExp(pattern.source, flags);
  return until(() => (uvsd.output().match(counted)?.length ?? 0) >= times, {
    what,
    timeoutMs: 5000,
    lastSeen: () => uvsd.output(),
  });
}

const hasServer = (ip: string) => (l: string) => l.includes(`-> ${ip}:80 `);

/** A virtual_server on the VIP with a 1 s delay_loop (NAT), around `body`. */
function virtualServer(body: string): string {
  return `virtual_server ${VIP} 80 {\n  delay_loop 1\n  lb_kind NAT\n${body}}\n`;
}

const TCP_FAST = '    TCP_CHECK {\n      connect_timeout 1\n      retry 0\n    }\n';

/** A real server block with one checker block. */
function realServer(ip: string, checker: string, extra = ''): string {
  return `  real_server ${ip} 80 {\n${extra}${checker}  }\n`;
}

before(() => {
  lab.build();
});

after(() => {
  lab.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('TCP_CHECK: S1 stopped is removed within delay_loop × (retry+1) + connect_timeout; S2 serves meanwhile; S1 restarted comes back', async () => {
  writeFileSync(
    conf,
    virtualServer(
      '  lb_algo rr\n  protocol TCP\n' +
        realServer(
          '192.168.20.1',
          '    TCP_CHECK {\n      connect_timeout 1\n      retry 1\n      delay_before_retry 1\n    }\n',
          '    weight 1\n',
        ) +
        realServer(
          '192.168.20.2',
          '    TCP_CHECK {\n      connect_timeout 1\n    }\n',
          '    weight 1\n',
        ),
    ),
  );
  uvsd = lab.startDirector(['-f', conf]);
  await untilListing(
    'both servers in the table',
    (l) => hasServer('192.168.20.1')(l) && hasServer('192.168.20.2')(l),
    5,
  );
  assert.deepEqual([...fetchPages(lab, 2)].sort(), [PAGE_S1, PAGE_S2]);
  await lab.stopWebServer('s1');
  // delay_loop 1 × (retry 1 + 1) + connect_timeout 1 = 3 s; a second of slack.
  await untilListing('S1 removed', (l) => !hasServer('192.168.20.1')(l), 4);
  assert.deepEqual(fetchPages(lab, 4), [PAGE_S2, PAGE_S2, PAGE_S2, PAGE_S2]);
  lab.startWebServer('s1', 80, PAGE_S1);
  await untilListing('S1 back', hasServer('192.168.20.1'), 5);
  assert.deepEqual([...fetchPages(lab, 2)].sort(), [PAGE_S1, PAGE_S2]);
});

test('HTTP_GET with digests from uvs-genhash: a changed page takes its server out', async () => {
  const d1 = genhash('director', '192.168.20.1');
  const d2 = genhash('director', '192.168.20.2');
  writeFileSync(
    conf,
    virtualServer(
      '  lb_algo rr\n' +
        realServer(
          '192.168.20.1',
          `    HTTP_GET {\n      url {\n        path /\n        digest ${d1}\n      }\n      connect_timeout 1\n      retry 0\n    }\n`,
        ) +
        realServer(
          '192.168.20.2',
          `    HTTP_GET {\n      url {\n        path /\n        digest ${d2}\n        status_code 200\n      }\n      connect_timeout 1\n      retry 0\n    }\n`,
        ),
    ),
  );
  uvsd.child.kill('SIGHUP');
  await untilListing(
    'both servers under HTTP_GET',
    (l) => hasServer('192.168.20.1')(l) && hasServer('192.168.20.2')(l),
    5,
  );
  await lab.stopWebServer('s1');
  lab.startWebServer('s1', 80, 'Je suis le serveur 1 et je suis changé');
  await untilListing('S1 removed for its digest', (l) => !hasServer('192.168.20.1')(l), 5);
  // The new page is served (its digest differs), and S1 stays out check after check.
  lab.waitForPort('s1', 80);
  assert.notEqual(genhash('director', '192.168.20.1'), d1);
  // Staying out is shown check by check, not by waiting: S1's only TCP peer is the director's
  // HTTP_GET (S1 is out of the table, genhash is done), so each connection S1 accepts is one
  // check. Three accepted means two checks of the changed page ran to their end; S1 must be
  // out at every look meanwhile (a passing check would put it back for a whole delay_loop).
  const opensBefore = tcpPassiveOpens(lab, 's1');
  let listing = '';
  await until(
    () => {
      listing = lab.uvsadm(['-Ln']).stdout;
      assert.ok(!hasServer('192.168.20.1')(listing), `S1 back with the changed page:\n${listing}`);
      return tcpPassiveOpens(lab, 's1') >= opensBefore + 3;
    },
    // Three checks: 3 × delay_loop 1 s, each within connect_timeout 1 s; slack for a busy box.
    {
      what: 'three HTTP_GET checks of the changed page',
      timeoutMs: 10_000,
      lastSeen: () => listing,
    },
  );
  await lab.stopWebServer('s1');
  lab.startWebServer('s1', 80, PAGE_S1);
  await untilListing('S1 back with its page', hasServer('192.168.20.1'), 5);
});

test('MISC_CHECK with misc_dynamic: exit 2…255 sets the weight (code − 2), 1 takes the server out, 0 keeps it', async () => {
  const codeFile = join(dir, 'code');
  writeFileSync(codeFile, '7');
  writeFileSync(
    conf,
    `virtual_server ${VIP} 80 {
  delay_loop 1
  lb_algo wrr
  lb_kind NAT
  real_server 192.168.20.1 80 {
    weight 1
    MISC_CHECK {
      misc_path "/bin/sh -c 'exit $(cat ${codeFile})'"
      misc_timeout 2
      misc_dynamic
    }
  }
  real_server 192.168.20.2 80 {
    weight 1
  }
}
`,
  );
  uvsd.child.kill('SIGHUP');
  await untilListing('S1 at weight 5', (l) => /-> 192\.168\.20\.1:80 +Masq +5 /.test(l), 5);
  writeFileSync(codeFile, '1');
  await untilListing('S1 out', (l) => !hasServer('192.168.20.1')(l), 5);
  // keepalived: 0 is up with the weight unchanged; 2…255 set it.
  writeFileSync(codeFile, '0');
  await untilListing(
    'S1 back, weight unchanged',
    (l) => /-> 192\.168\.20\.1:80 +Masq +5 /.test(l),
    5,
  );
  writeFileSync(codeFile, '3');
  await untilListing('S1 at weight 1', (l) => /-> 192\.168\.20\.1:80 +Masq +1 /.test(l), 5);
});

test('quorum: below it the sorry server takes every new connection and quorum_down runs; back above, quorum_up runs', async () => {
  const log = join(dir, 'quorum.log');
  writeFileSync(
    conf,
    virtualServer(
      `  lb_algo rr\n  quorum 2\n  hysteresis 0\n  quorum_up "/bin/sh -c 'echo up >> ${log}'"\n  quorum_down "/bin/sh -c 'echo down >> ${log}'"\n  sorry_server 192.168.20.3 80\n` +
        realServer('192.168.20.1', TCP_FAST) +
        realServer('192.168.20.2', TCP_FAST),
    ),
  );
  uvsd.child.kill('SIGHUP');
  await untilListing(
    'both servers',
    (l) =>
      hasServer('192.168.20.1')(l) && hasServer('192.168.20.2')(l) && !hasServer('192.168.20.3')(l),
    5,
  );
  await lab.stopWebServer('s1');
  await untilListing(
    'only the sorry server',
    (l) => hasServer('192.168.20.3')(l) && !hasServer('192.168.20.2')(l),
    5,
  );
  assert.deepEqual(fetchPages(lab, 3), [PAGE_SORRY, PAGE_SORRY, PAGE_SORRY]);
  lab.startWebServer('s1', 80, PAGE_S1);
  await untilListing(
    'real servers back',
    (l) => hasServer('192.168.20.1')(l) && !hasServer('192.168.20.3')(l),
    5,
  );
  assert.equal(count(fetchPages(lab, 4), PAGE_SORRY), 0);
  await untilFileIs(log, 'down\nup\n', 'quorum_down then quorum_up run');
});

test('SIGHUP with an unchanged virtual server keeps its connections and counters; a broken file changes nothing', async () => {
  fetchPages(lab, 4);
  const before = lab.uvsadm(['-Ln', '--stats']).stdout;
  const conns = lab.uvsadm(['-Lnc']).stdout;
  // The reload is seen in uvsd's log (one line per load), not guessed from a delay.
  const loaded = /keepalived\.conf: 1 virtual server\(s\), 1 unchanged/g;
  const reloads = uvsd.output().match(loaded)?.length ?? 0;
  uvsd.child.kill('SIGHUP');
  await untilLogged(loaded, reloads + 1, 'the unchanged configuration reloaded');
  assert.equal(lab.uvsadm(['-Ln', '--stats']).stdout, before, 'counters kept');
  assert.equal(
    lab.uvsadm(['-Lnc']).stdout.split('\n').length,
    conns.split('\n').length,
    'connections kept',
  );
  writeFileSync(conf, `virtual_server ${VIP} 80 {\n  lb_kind NATT\n}\n`);
  uvsd.child.kill('SIGHUP');
  await untilLogged(
    /reload refused, running configuration kept: .*keepalived\.conf:2: unknown lb_kind "NATT" \(expected NAT, DR or TUN\)/,
    1,
    'the broken file refused with its line',
  );
  assert.equal(lab.uvsadm(['-Ln', '--stats']).stdout.split('\n').length, before.split('\n').length);
});

test('cable pulled on S1: inhibit_on_failure keeps it at weight 0, notify_down/notify_up run; alpha starts S2 down until checked', async () => {
  const log = join(dir, 'notify.log');
  writeFileSync(
    conf,
    virtualServer(
      '  lb_algo rr\n  alpha\n' +
        realServer(
          '192.168.20.1',
          TCP_FAST,
          `    weight 2\n    inhibit_on_failure\n    notify_down "/bin/sh -c 'echo s1-down >> ${log}'"\n    notify_up "/bin/sh -c 'echo s1-up >> ${log}'"\n`,
        ) +
        realServer(
          '192.168.20.2',
          '    HTTP_GET {\n      url {\n        path /\n      }\n      connect_timeout 1\n    }\n',
        ),
    ),
  );
  uvsd.child.kill('SIGHUP');
  // alpha: a real server enters only once its checkers passed.
  await untilListing(
    'both servers after their first checks',
    (l) => /-> 192\.168\.20\.1:80 +Masq +2 /.test(l) && hasServer('192.168.20.2')(l),
    6,
  );
  lab.topo.cable('s1', 'eth0', false);
  try {
    await untilListing(
      'S1 at weight 0 (inhibited)',
      (l) => /-> 192\.168\.20\.1:80 +Masq +0 /.test(l),
      6,
    );
    assert.deepEqual(fetchPages(lab, 3), [PAGE_S2, PAGE_S2, PAGE_S2]);
  } finally {
    lab.topo.cable('s1', 'eth0', true);
  }
  await untilListing('S1 back at weight 2', (l) => /-> 192\.168\.20\.1:80 +Masq +2 /.test(l), 6);
  // S1's TCP_CHECK is the one it had before this reload: its UP verdict carried over (as
  // keepalived migrates checkers), so alpha gave it no first "up"; S2's new checker started down.
  await untilFileIs(log, 's1-down\ns1-up\n', 'notify_down, notify_up run');
});

/** The director's TCP connections opened so far (each TCP_CHECK attempt opens one). */
function directorActiveOpens(): number {
  const snmp = lab.run('director', 'cat', ['/proc/net/snmp']).stdout;
  const [names, values] = snmp.split('\n').filter((l) => l.startsWith('Tcp:'));
  const i = names?.split(' ').indexOf('ActiveOpens') ?? -1;
  const n = Number(values?.split(' ')[i]);
  if (i < 0 || !Number.isInteger(n)) throw new Error(`no Tcp ActiveOpens:\n${snmp}`);
  return n;
}

test('SIGHUP with an edited virtual server: a real server its checker holds DOWN stays out (issue 11)', async () => {
  const body = (head: string): string =>
    virtualServer(
      head +
        realServer('192.168.20.1', TCP_FAST, '    weight 1\n') +
        realServer('192.168.20.2', TCP_FAST, '    weight 1\n'),
    );
  writeFileSync(conf, body('  lb_algo rr\n'));
  const loads = /keepalived\.conf: 1 virtual server\(s\), 0 unchanged/g;
  const before = uvsd.output().match(loads)?.length ?? 0;
  uvsd.child.kill('SIGHUP');
  await untilLogged(loads, before + 1, 'the two-server configuration loaded');
  await untilListing(
    'both servers',
    (l) => hasServer('192.168.20.1')(l) && hasServer('192.168.20.2')(l),
    5,
  );
  // S1's cable pulled: its checks time out (connect_timeout 1 s) rather than being refused,
  // so a server wrongly restarted UP by the reload would stay in the table for a second.
  lab.topo.cable('s1', 'eth0', false);
  try {
    await untilListing('S1 removed', (l) => !hasServer('192.168.20.1')(l), 5);
    // The edit: another scheduler. The virtual server restarts with its checkers' verdicts.
    writeFileSync(conf, body('  lb_algo wrr\n'));
    uvsd.child.kill('SIGHUP');
    await untilLogged(loads, before + 2, 'the edited configuration loaded');
    // S1 must be out at every look until both servers have been checked three more times
    // (each TCP_CHECK attempt is a TCP open from the director).
    const opens = directorActiveOpens();
    let listing = '';
    await until(
      () => {
        listing = lab.uvsadm(['-Ln']).stdout;
        assert.match(listing, /TCP {2}192\.168\.10\.23:80 wrr/);
        assert.ok(!hasServer('192.168.20.1')(listing), `S1 back after the reload:\n${listing}`);
        return directorActiveOpens() >= opens + 6;
      },
      {
        what: 'three rounds of checks after the reload',
        timeoutMs: 10_000,
        lastSeen: () => listing,
      },
    );
  } finally {
    lab.topo.cable('s1', 'eth0', true);
  }
  await untilListing('S1 back', hasServer('192.168.20.1'), 5);
});
