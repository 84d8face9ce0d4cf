// Every binary's --version and --help, their man pages (rendered by man -l without a warning),
// uvsadm's bash completion (run in bash), and the systemd units (systemd-analyze verify).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { manPage } from '../../src/doc/man-page.js';
import { ALL_DOCS } from '../../src/doc/write-man-pages.js';
import { uvsadmCompletion } from '../../src/doc/uvsadm-completion.js';
import { REPO_ROOT } from '../../src/lab/lab.js';
import { UVS_VERSION } from '../../src/control/version.js';

const dir = mkdtempSync(join(tmpdir(), 'uvs-docs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const bin = (name: string) => join(REPO_ROOT, 'dist/src/bin', `${name}.js`);
const run = (cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 20_000 });

test('every binary answers --version with its name and uvs version; uvsadm -v in ipvsadm format', () => {
  assert.equal(
    UVS_VERSION,
    (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string })
      .version,
  );
  for (const doc of ALL_DOCS) {
    const r = run(process.execPath, [bin(doc.name), '--version']);
    assert.equal(r.status, 0, `${doc.name}: ${r.stderr}`);
    assert.match(
      r.stdout,
      new RegExp(
        `^${doc.name} v${UVS_VERSION.replace(/\./g, '\\.')} \\(uvs, Node\\.js v[\\d.]+[,)]`,
      ),
      doc.name,
    );
  }
  assert.match(
    run(process.execPath, [bin('uvsadm'), '-v']).stdout,
    /^uvsadm v[\d.]+ \(uvs, Node\.js v[\d.]+, IPVS v1\.2\.1\)\n$/,
  );
  assert.equal(run(process.execPath, [bin('uvsd'), '-v']).status, 0);
  assert.equal(run(process.execPath, [bin('uvs-genhash'), '-r']).status, 0);
});

test('--help says what the man page says: every documented option is in both', () => {
  for (const doc of ALL_DOCS) {
    const help = run(process.execPath, [bin(doc.name), '--help']);
    assert.equal(help.status, 0, `${doc.name}: ${help.stderr}`);
    // uvs-lab's maquette options are in its commands' help.
    if (doc.name === 'uvs-lab')
      for (const c of ['nat', 'dr'])
        help.stdout += run(process.execPath, [bin(doc.name), c, '--help']).stdout;
    const page = manPage(doc);
    assert.match(page, new RegExp(`^\\.TH ${doc.name.toUpperCase()} ${doc.section} `, 'm'));
    const options = doc.name === 'uvsadm' ? [] : doc.options; // uvsadm's help is ipvsadm's text
    for (const o of options) {
      assert.ok(help.stdout.includes(`--${o.long}`), `${doc.name} --help lacks --${o.long}`);
      assert.ok(
        page.includes(`\\-\\-${o.long.replace(/-/g, '\\-')}`),
        `${doc.name}(${doc.section}) lacks --${o.long}`,
      );
    }
    for (const c of doc.commands ?? [])
      assert.ok(help.stdout.includes(c.describe.slice(0, 30)), c.name);
  }
  assert.ok(
    manPage(ALL_DOCS.find((d) => d.name === 'uvsadm')!).includes('\\-\\-add\\-service     \\-A'),
  );
});

test('the man pages render with man -l and no warning', (t) => {
  if (run('sh', ['-c', 'command -v man']).status !== 0) return t.skip('man is not installed');
  for (const doc of ALL_DOCS) {
    const file = join(dir, `${doc.name}.${doc.section}`);
    writeFileSync(file, manPage(doc));
    const r = run('man', ['--warnings', '-l', file], {
      ...process.env,
      MANWIDTH: '100',
      MAN_KEEP_FORMATTING: '',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', `${doc.name}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^NAME\\n +${doc.name} - `, 'm'));
    assert.match(r.stdout, /^SEE ALSO$/m);
  }
});

/** What bash completes for uvsadm after `words` (the last one being completed). */
function complete(words: readonly string[]): string[] {
  const script = join(dir, 'uvsadm-completion.bash');
  writeFileSync(script, uvsadmCompletion());
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = run('bash', [
    '-c',
    `uvsadm() { :; }; source ${script}; COMP_WORDS=(uvsadm ${quoted}); COMP_CWORD=${words.length}; _uvsadm; printf '%s\\n' "\${COMPREPLY[@]}"`,
  ]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((w) => w !== '');
}

test("uvsadm's bash completion offers ipvsadm's commands first, then options, schedulers after -s", () => {
  const first = complete(['--ad']);
  assert.deepEqual(first, ['--add-service', '--add-server']);
  assert.ok(!complete(['-']).includes('-n'), 'options only after a command');
  assert.ok(complete(['-L', '--']).includes('--stats'));
  assert.ok(
    complete(['-Ln', '--']).includes('--exact'),
    'grouped short options count as a command',
  );
  assert.deepEqual(complete(['-A', '-t', '10.0.0.1:80', '-s', 'w']), ['wrr', 'wlc']);
  assert.deepEqual(complete(['-E', '-t', '10.0.0.1:80', '-b', 'sh-']), ['sh-fallback', 'sh-port']);
});

test('the systemd units verify', (t) => {
  if (run('sh', ['-c', 'command -v systemd-analyze']).status !== 0)
    return t.skip('systemd-analyze is not installed');
  for (const unit of ['uvsd.service', 'uvsd@.service']) {
    // ExecStart must exist: point it at this tree's uvsd.
    const text = readFileSync(join(REPO_ROOT, 'systemd', unit), 'utf8').replaceAll(
      '/usr/local/bin/uvsd',
      bin('uvsd'),
    );
    assert.match(text, /^AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN$/m);
    assert.match(text, /^CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN$/m);
    assert.match(text, /^Restart=on-failure$/m);
    assert.match(text, /^User=uvs$/m);
    const name = unit === 'uvsd@.service' ? 'uvsd@director.service' : unit;
    writeFileSync(join(dir, name), text);
    const r = run('systemd-analyze', ['verify', join(dir, name)], {
      ...process.env,
      SYSTEMD_LOG_LEVEL: 'warning',
    });
    // Documentation=man:… pages are not installed here: those lines are the only ones allowed.
    const problems = r.stderr
      .split('\n')
      .filter((l) => l.trim() !== '' && !/Command 'man .*' failed/.test(l));
    assert.deepEqual(problems, [], r.stderr);
  }
});
