// keepalived's own sample configurations (Debian's keepalived package) and uvs's
// keepalived-compatibility corpus, checked by `keepalived -t` and by checkConfig on the same
// host, in the same network namespace, with the same config id: the verdicts must be the
// same, and every line keepalived complains about must be named by uvs as well. keepalived's
// host checks (interfaces, script security) depend on the machine; both sides see the same.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkConfig, type ConfigCheck } from '../../src/keepalived/check-config.js';

const SAMPLES = '/usr/share/doc/keepalived/samples';
const COMPAT = fileURLToPath(new URL('../../../test/keepalived/compat', import.meta.url));

const probe = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
const missing =
  probe.error !== undefined
    ? 'the keepalived package is not installed (apt-get install keepalived): ' +
      'keepalived -t cannot be compared with'
    : undefined;

interface Verdict {
  readonly accepted: boolean;
  /** Lines keepalived names in its complaints about this file. */
  readonly lines: readonly number[];
  readonly output: string;
}

function keepalivedVerdict(file: string, configId?: string): Verdict {
  const args = ['-t', '-f', file, ...(configId !== undefined ? ['-i', configId] : [])];
  const run = spawnSync('keepalived', args, { encoding: 'utf8', timeout: 30_000 });
  const output = `${run.stdout}${run.stderr}`;
  const re = /^\((.+): Line (\d+)\)/gm;
  const lines = [...output.matchAll(re)]
    .filter((m) => basename(m[1]!) === basename(file))
    .map((m) => Number(m[2]));
  return { accepted: run.status === 0, lines, output };
}

/** uvs's verdict: accepted when there is neither an error nor a warning. */
const accepted = (c: ConfigCheck): boolean => c.errors.length === 0 && c.warnings.length === 0;

/** Does uvs name line `n` (a diagnostic on it, or about a block that spans it)? */
function names(c: ConfigCheck, n: number): boolean {
  const errorLines = c.errors.map((e) => Number(/:(\d+): /.exec(e)?.[1]));
  return (
    errorLines.includes(n) ||
    c.diagnostics.some((d) => d.line === n || (d.line <= n && n <= (d.endLine ?? d.line)))
  );
}

function compare(file: string, configId?: string): void {
  const theirs = keepalivedVerdict(file, configId);
  const ours = checkConfig(file, configId !== undefined ? { configId } : {});
  const report = `keepalived -t said (${theirs.accepted ? 'accepted' : 'refused'}):\n${theirs.output}\nuvs said:\n${[...ours.errors, ...ours.warnings].join('\n')}`;
  assert.equal(accepted(ours), theirs.accepted, report);
  for (const n of theirs.lines) assert.ok(names(ours, n), `line ${n} not named by uvs\n${report}`);
}

const samples = existsSync(SAMPLES)
  ? readdirSync(SAMPLES)
      .filter((f) => f.startsWith('keepalived.conf.'))
      .sort()
  : [];

test('the keepalived package ships its sample configurations', { skip: missing }, () => {
  assert.ok(samples.length >= 20, `only ${samples.length} samples in ${SAMPLES}`);
});

for (const f of samples) {
  test(`sample ${f}: uvs -t agrees with keepalived -t`, { skip: missing }, () =>
    compare(join(SAMPLES, f)),
  );
}

for (const id of ['high', 'low']) {
  test(
    `sample keepalived.conf.conditional_conf with config id ${id}: uvs agrees with keepalived`,
    {
      skip:
        missing ?? (samples.includes('keepalived.conf.conditional_conf') ? undefined : 'no sample'),
    },
    () => compare(join(SAMPLES, 'keepalived.conf.conditional_conf'), id),
  );
}

const compat = readdirSync(COMPAT)
  .filter((f) => f.endsWith('.conf'))
  .sort();

for (const f of compat) {
  test(`compat ${f}: keepalived -t accepts it, and so does uvs`, { skip: missing }, () => {
    const file = join(COMPAT, f);
    const theirs = keepalivedVerdict(file, 'uvs');
    assert.ok(theirs.accepted, `keepalived -t refuses ${f}:\n${theirs.output}`);
    compare(file, 'uvs');
  });
}
