// A forwarding worker that dies is restarted by the main thread, and the connections it carried
// go on: they live in shared memory, not in the worker. Two workers, both made to throw
// (UVS_TEST_WORKER_FAULT_FILE) in the middle of a stream of numbered lines through NAT.
//
//   client ── lan10 ── eth1 [director: uvsd --workers 2] eth2 ── lan20 ── S1, S2
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { StartedProcess } from '../../src/lab/topology.js';
import { until } from '../helpers/poll.js';
import { counters, natLab } from './helpers/nat-lab.js';

const lab = natLab();
let uvsd: StartedProcess;
const FAULT = `/tmp/uvs-worker-fault-${process.pid}`;
const LINES = 60;

before(() => {
  lab.build();
  rmSync(FAULT, { force: true });
  process.env['UVS_TEST_WORKER_FAULT_FILE'] = FAULT;
  try {
    uvsd = lab.startDirector(['--workers', '2']);
  } finally {
    delete process.env['UVS_TEST_WORKER_FAULT_FILE'];
  }
  lab.configure();
});

after(() => {
  rmSync(FAULT, { force: true });
  lab.destroy();
});

test('workers killed by a fault are restarted and a stream through them goes on, no line lost', async () => {
  // 60 lines, one every 50 ms: 3 s of stream, the workers die after its 10th line.
  const curl = spawn('ip', [
    'netns',
    'exec',
    lab.ns('client'),
    'curl',
    '-sSN',
    '--max-time',
    '30',
    `http://192.168.10.23/lines?n=${LINES}&ms=50`,
  ]);
  let body = '';
  let stderr = '';
  curl.stdout.on('data', (d: Buffer) => (body += d.toString()));
  curl.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<number | null>((resolve) => curl.on('exit', resolve));
  await until(() => body.includes('line 10\n'), {
    what: 'the stream under way',
    timeoutMs: 10_000,
    lastSeen: () => body,
  });
  writeFileSync(FAULT, '');
  await until(
    () =>
      /restarting forwarding worker 1/.test(uvsd.output()) &&
      /restarting forwarding worker 2/.test(uvsd.output()),
    {
      what: 'both workers restarted',
      timeoutMs: 10_000,
      lastSeen: () => uvsd.output(),
    },
  );
  assert.ok(!body.includes(`line ${LINES}\n`), 'the workers died while the stream ran');
  assert.equal(await done, 0, stderr);
  const expected = Array.from({ length: LINES }, (_, k) => `line ${k + 1}`).join('\n') + '\n';
  assert.equal(body, expected, 'every line, in order');
  assert.match(uvsd.output(), /injected fault in forwarding worker/);
  const c = counters(lab);
  assert.ok(c['io.worker_restarts']! >= 2, JSON.stringify(c));
  assert.equal(c['io.workers'], 2);
});
