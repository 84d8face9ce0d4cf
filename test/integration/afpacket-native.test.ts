// The addon's edges, inside a namespace: errors that name the interface and the syscall, a
// wait() that times out or is cut short by another thread's waker, bad transmit entries
// counted rather than thrown, a multicast membership, and frames sent from an arena Buffer.
//
//   a (eth0 10.214.0.1) ──veth── b (eth0 10.214.0.2)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WaitResult } from '../../src/io/afpacket/native.js';
import { buildFrame } from '../unit/fixtures/frames.js';
import { NetnsLab, stopAndReport, waitForLine } from './fixtures/afpacket-netns.js';
import type { CaptureReport } from './fixtures/afpacket-probe.js';

const A = '10.214.0.1';
const B = '10.214.0.2';
const lab = new NetnsLab();

before(() => {
  lab.addHosts('a', 'b').link('a', 'eth0', 'b', 'eth0');
  lab.addr('a', 'eth0', `${A}/24`).addr('b', 'eth0', `${B}/24`);
});

after(() => lab.destroy());

interface Checks {
  missingInterface: string;
  kernelRefusal: string;
  timeout: { result: number; ms: number };
  badEntries: { flushed: number; sent: number; invalid: number; failed: number };
  multicast: string;
  statistics: { received: number; dropped: number };
  waker: { result: number; ms: number; wakeToReturnMs: number };
}

test('errors, wait() timeout and waker, bad tx entries and multicast membership', () => {
  const c = JSON.parse(lab.runNode('b', 'afpacket-probe.js', ['checks', 'eth0'])) as Checks;
  assert.equal(
    c.missingInterface,
    'cannot open a packet socket on "nope0": if_nametoindex: No such device',
  );
  assert.equal(
    c.kernelRefusal,
    'cannot open a packet socket on "eth0": setsockopt(PACKET_RX_RING): Invalid argument',
  );
  assert.equal(c.timeout.result, WaitResult.TimedOut);
  assert.ok(c.timeout.ms >= 99, `wait(0, 100) returned after ${c.timeout.ms} ms`);
  assert.deepEqual(
    {
      flushed: c.badEntries.flushed,
      sent: c.badEntries.sent,
      invalid: c.badEntries.invalid,
      failed: c.badEntries.failed,
    },
    { flushed: 0, sent: 0, invalid: 4, failed: 0 },
  );
  assert.match(c.multicast, /link\s+01:00:5e:00:00:12/);
  assert.equal(typeof c.statistics.received, 'number');
  // The worker waited up to 10 s; the main thread woke it after 200 ms.
  assert.equal(c.waker.result, WaitResult.Woken);
  assert.ok(c.waker.ms >= 150 && c.waker.ms < 5000, `woken after ${c.waker.ms} ms`);
});

test('frames built in an arena Buffer leave on the wire as they were written', async () => {
  const bMac = lab.run('b', 'cat', ['/sys/class/net/eth0/address']).trim();
  const aMac = lab.run('a', 'cat', ['/sys/class/net/eth0/address']).trim();
  const frames = [7001, 7002, 7003].map((dport, i) =>
    buildFrame({
      srcMac: aMac,
      dstMac: bMac,
      src: A,
      dst: B,
      proto: 'udp',
      sport: 4000,
      dport,
      payload: 'x'.repeat(100 * i),
    }),
  );
  const cap = lab.startNode('b', 'afpacket-probe.js', ['capture', 'eth0']);
  await waitForLine(cap, 'ready');
  const sent = JSON.parse(
    lab.runNode('a', 'afpacket-probe.js', [
      'send-arena',
      'eth0',
      ...frames.map((f) => f.toString('hex')),
    ]),
  ) as { flushed: number; failed: number };
  const report = await stopAndReport<CaptureReport>(cap);
  assert.equal(sent.flushed, 3);
  assert.equal(sent.failed, 0);
  const got = report.ports[0]!.frames.filter(
    (f) => f.ipProto === 17 && f.dport >= 7001 && f.dport <= 7003,
  );
  assert.deepEqual(
    got.map((f) => [f.dport, f.len]),
    frames.map((f, i) => [7001 + i, f.length]),
  );
});

test('a worker that throws takes its packet socket and ring mapping with it', () => {
  const r = JSON.parse(lab.runNode('b', 'afpacket-probe.js', ['worker-fault', 'eth0'])) as {
    before: { fds: number; rings: number };
    after: { fds: number; rings: number };
    errors: string[];
  };
  assert.deepEqual(r.errors, Array<string>(4).fill('injected fault'));
  assert.equal(r.before.rings, 0);
  assert.deepEqual(r.after, r.before);
});
