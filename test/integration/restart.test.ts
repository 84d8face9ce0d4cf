// A uvsd killed with -9 in the middle of a long download, and started again: the new uvsd takes
// over the connection table its predecessor left in /dev/shm (bound again to the same rules,
// restored from the state folder), and the client's numbered stream arrives whole, line by
// line; the kernel guard it left is replaced, not duplicated. With --no-restore the next uvsd starts empty: the connection is gone (the control).
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { connTableFile } from '../../src/control/socket-path.js';
import { streamComplete } from '../../src/lab/ha-check.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import { until } from '../helpers/poll.js';
import { natLab, uvsadmOk } from './helpers/nat-lab.js';

const lab = natLab();
const LINES = 100;
const STREAM = `http://192.168.10.23/lines?n=${LINES}&ms=50`;

before(() => {
  lab.build();
});

after(() => lab.destroy());

/** The numbered stream (5 s of lines), given up after `maxTimeS`. */
function startStream(maxTimeS: number): StartedProcess {
  return lab.topo.start('client', 'curl', ['-sSN', '--max-time', String(maxTimeS), STREAM]);
}

function exitOf(p: StartedProcess): Promise<number | null> {
  return new Promise((r) =>
    p.child.exitCode !== null ? r(p.child.exitCode) : p.child.once('exit', r),
  );
}

async function killDirector(uvsd: StartedProcess): Promise<void> {
  const gone = exitOf(uvsd);
  uvsd.child.kill('SIGKILL');
  await gone;
}

test('kill -9 and restart mid-stream: the new uvsd takes the connection over; the stream arrives whole', async () => {
  const uvsd = lab.startDirector(['--restore']);
  lab.configure();
  const stream = startStream(30);
  await until(() => stream.output().split('\n').length > 10, {
    what: 'ten lines of the stream',
    timeoutMs: 5000,
    lastSeen: () => stream.output(),
  });
  const table = connTableFile(statSync(`/run/netns/${lab.ns('director')}`).ino);
  assert.ok(existsSync(table), `${table} holds the table`);
  await killDirector(uvsd);
  const again = lab.startDirector(['--restore']);
  assert.match(uvsadmOk(lab, ['-Ln']), /192\.168\.20\.1:80/, 'the rules came back');
  assert.match(uvsadmOk(lab, ['-Lnc']), /ESTABLISHED .*192\.168\.10\.23:80/);
  const code = await exitOf(stream);
  const s = streamComplete(stream.output(), LINES);
  assert.equal(code, 0, stream.output().slice(-300));
  assert.ok(s.whole, `${s.lines} of ${LINES} lines, in order: ${stream.output().slice(-200)}`);
  assert.match(again.output(), /took over [1-9]\d* connection\(s\) from the previous uvsd/);
  // The guard the killed uvsd left was replaced, not duplicated.
  const tables = lab.run('director', 'nft', ['list', 'tables']).stdout.split('\n');
  assert.equal(tables.filter((t) => t.trim() === 'table netdev uvs').length, 1, tables.join('\n'));
  await killDirector(again);
});

test('--no-restore: the next uvsd starts with an empty table, and the cut connection does not come back', async () => {
  const uvsd = lab.startDirector(['--restore']);
  const stream = startStream(10);
  await until(() => stream.output().split('\n').length > 10, {
    what: 'ten lines of the stream',
    timeoutMs: 5000,
    lastSeen: () => stream.output(),
  });
  await killDirector(uvsd);
  lab.startDirector(['--no-restore']);
  lab.configure();
  assert.doesNotMatch(uvsadmOk(lab, ['-Lnc']), /ESTABLISHED/);
  const code = await exitOf(stream);
  assert.notEqual(code, 0, 'the stream cannot finish: its connection is unknown to the new uvsd');
});
