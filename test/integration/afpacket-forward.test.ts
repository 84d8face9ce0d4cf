// An L2 forwarder made of the afpacket building blocks only (fixtures/afpacket-forwarder.ts,
// its loop in a worker thread) carries a 10 MiB TCP transfer intact: GSO super-frames and
// partial checksums survive the userspace hop, both ways, with offloads left on.
//
//   a (eth0 10.212.0.1) ──veth── e0  b: forwarder  e1 ──veth── c (eth0 10.212.0.2)
//   no bridge, no IP on b: only the forwarder joins a and c.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NetnsLab, stopAndReport, waitForLine } from './fixtures/afpacket-netns.js';
import type { ForwarderReport } from './fixtures/afpacket-forwarder.js';

const A = '10.212.0.1';
const C = '10.212.0.2';
const MiB = 1 << 20;
const lab = new NetnsLab();

before(() => {
  lab.addHosts('a', 'b', 'c').link('a', 'eth0', 'b', 'e0').link('c', 'eth0', 'b', 'e1');
  lab.addr('a', 'eth0', `${A}/24`).addr('c', 'eth0', `${C}/24`);
});

after(() => lab.destroy());

interface Transfer {
  bytes: number;
  sha256: string;
}

for (const ring of ['v2', 'v3'] as const) {
  test(`${ring}: 10 MiB of TCP from a to c through the forwarder arrive with the same sha256`, async () => {
    const fwd = lab.startNode('b', 'afpacket-forwarder.js', ['e0', 'e1', '--ring', ring]);
    await waitForLine(fwd, 'ready');
    lab.run('a', 'ping', ['-c', '1', '-W', '5', C]);
    const sink = lab.startNode('c', 'afpacket-tcp.js', ['sink', '5002']);
    await waitForLine(sink, 'listening');
    const received = new Promise<Transfer>((resolve, reject) => {
      let out = '';
      sink.stdout.on('data', (d: Buffer) => (out += d.toString()));
      sink.on('exit', () => {
        try {
          resolve(JSON.parse(out.trim()) as Transfer);
        } catch {
          reject(new Error(`sink: ${out}`));
        }
      });
    });
    const sent = JSON.parse(
      lab.runNode('a', 'afpacket-tcp.js', ['send', C, '5002', String(10 * MiB), '42']),
    ) as Transfer;
    const got = await received;
    const report = await stopAndReport<ForwarderReport>(fwd);
    assert.equal(got.bytes, 10 * MiB);
    assert.equal(got.sha256, sent.sha256);
    assert.ok(
      report.gso > 0 && report.big > 0,
      `no GSO super-frame forwarded: ${JSON.stringify(report)}`,
    );
    assert.ok(report.maxLen > 1514);
    assert.ok(report.needsCsum > 0, 'partial checksums were forwarded as such');
    assert.equal(report.truncated, 0);
    assert.equal(report.malformed, 0);
    assert.equal(report.txFailed, 0);
    assert.equal(report.txInvalid, 0);
    assert.equal(report.sinkRefused, 0);
  });
}
