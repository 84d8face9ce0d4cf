// uvs-lab as a student uses it, under a unique namespace prefix: `keepalived --check` shows a
// checker taking S1 out and the sorry server taking over; the maquette's one log file has
// stamped lines; `status` tells which maquette is up, uvsd's pid and each real server's state;
// the pulled cable is the switch port named after its host; the web server answers 404.
//
//   client ── lan10 ── [director] ── lan20 ──┬── S1 192.168.20.1   (switch ports client-eth0,
//                                            ├── S2 192.168.20.2    director-eth1/eth2, s1-eth0,
//                                            └── S3 192.168.20.3    s2-eth0, s3-eth0: the sorry server)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { UVS_LAB } from '../../src/lab/lab.js';
import { PAGE_SORRY } from '../../src/lab/maquette.js';
import { destroyByPrefixList, namespacesWithPrefix } from '../../src/lab/topology.js';

const PREFIX = `uvl${process.pid.toString(36)}`;
const LOG_DIR = `/run/${PREFIX}-lab`;

function lab(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [UVS_LAB, '--prefix', PREFIX, ...args], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function sh(...argv: string[]): { code: number; stdout: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? 1, stdout: r.stdout };
}

async function until(what: string, ok: () => boolean, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`${what}: not within ${seconds} s`);
}

after(() => {
  lab('down');
  destroyByPrefixList(namespacesWithPrefix(PREFIX));
  rmSync(LOG_DIR, { recursive: true, force: true });
});

test('keepalived --check: a checker takes S1 out, the sorry server takes over, both come back', () => {
  const r = lab('keepalived', '--check', '--requests', '4');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /checker takes 192\.168\.20\.1 out: after [\d.]+ s/);
  assert.match(r.stdout, /sorry server 192\.168\.20\.3 takes over: after [\d.]+ s/);
  assert.ok(r.stdout.includes(`${PAGE_SORRY}\n${PAGE_SORRY}\n${PAGE_SORRY}`), r.stdout);
  assert.match(r.stdout, /check passed: .*the sorry server answered below quorum/);
});

test("the maquette's log is one file, every line stamped with the time and its process", () => {
  const log = `${LOG_DIR}/keepalived.log`;
  assert.ok(existsSync(log));
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ /, l);
  const text = lines.join('\n');
  // uvsd stamps its own lines too, and names the virtual server.
  assert.match(
    text,
    new RegExp(
      `Z ${PREFIX}-director/uvsd \\S+Z uvsd: virtual_server 192\\.168\\.10\\.23 80: 192\\.168\\.20\\.1:80 DOWN \\(`,
    ),
  );
  assert.match(text, /uvsd: virtual_server 192\.168\.10\.23 80: quorum lost/);
  assert.match(text, new RegExp(`Z ${PREFIX}-s1/http80 exited SIGTERM`));
  assert.match(text, /Z uvs-lab building maquette keepalived/);
});

test("status: the maquette, uvsd's pid, the table and each real server's state", () => {
  const r = lab('status');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^maquette: keepalived — LVS-NAT from a keepalived\.conf/);
  const pid = /uvsd: pid (\d+) in /.exec(r.stdout)?.[1];
  assert.ok(pid && existsSync(`/proc/${pid}`), r.stdout);
  assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /uvsd\.js\0-f\0/);
  assert.match(r.stdout, /TCP {2}192\.168\.10\.23:80 rr/);
  assert.match(
    r.stdout,
    /s1 +192\.168\.20\.1 +cable s1-eth0 plugged, web :80 listening, in the table as 192\.168\.20\.1:80, checker: UP/,
  );
  assert.match(
    r.stdout,
    /s3 +192\.168\.20\.3 +cable s3-eth0 plugged, web :80 listening, not in the table/,
  );
});

test("S1's cable pulled at its named switch port: status shows it, the checker takes S1 out", async () => {
  const pulled = sh('ip', '-n', `${PREFIX}-sw`, 'link', 'set', 's1-eth0', 'down');
  assert.equal(pulled.code, 0);
  await until('S1 out of the table', () => /s1 .*not in the table/.test(lab('status').stdout), 20);
  const status = lab('status').stdout;
  assert.match(
    status,
    /s1 +192\.168\.20\.1 +cable s1-eth0 PULLED, web :80 listening, not in the table, checker: DOWN/,
  );
  sh('ip', '-n', `${PREFIX}-sw`, 'link', 'set', 's1-eth0', 'up');
});

test('the lab web server answers 404 on an unknown path (through the VIP)', () => {
  const r = sh(
    'ip',
    'netns',
    'exec',
    `${PREFIX}-client`,
    'curl',
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    'http://192.168.10.23/nope',
  );
  assert.equal(r.stdout, '404');
});
