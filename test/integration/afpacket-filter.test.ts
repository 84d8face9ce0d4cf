// A generated BPF program attached to a real packet socket lets through what it should and
// nothing else (a VLAN-tagged frame to the VIP included); a second, unfiltered socket on the
// same interface shows the rest did arrive.
//
//   a (eth0 10.213.0.1) ──veth── b (eth0 10.213.0.2): afpacket-probe capture --filter
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TpStatus } from '../../src/io/afpacket/tpacket.js';
import { buildFrame } from '../unit/fixtures/frames.js';
import { NetnsLab, stopAndReport, waitForLine } from './fixtures/afpacket-netns.js';
import type { CaptureReport } from './fixtures/afpacket-probe.js';

const A = '10.213.0.1';
const B = '10.213.0.2';
const lab = new NetnsLab();

before(() => {
  lab.addHosts('a', 'b').link('a', 'eth0', 'b', 'eth0');
  lab.addr('a', 'eth0', `${A}/24`).addr('b', 'eth0', `${B}/24`);
});

after(() => lab.destroy());

/** UDP to VIP:53 in VLAN 100: for a VLAN interface, not for the one uvs serves. */
function taggedToVip(): Buffer {
  const mac = (host: string) => lab.run(host, 'cat', ['/sys/class/net/eth0/address']).trim();
  const f = buildFrame({
    srcMac: mac('a'),
    dstMac: mac('b'),
    src: A,
    dst: B,
    proto: 'udp',
    sport: 5353,
    dport: 53,
  });
  const tag = Buffer.from([0x81, 0x00, 0x00, 100]);
  return Buffer.concat([f.subarray(0, 12), tag, f.subarray(12)]);
}

const SEND = `
const dgram = require('dgram'), net = require('net');
const s = dgram.createSocket('udp4');
s.send('ok', 53, '${B}', () => s.send('no', 54, '${B}', () => s.close()));
for (const port of [80, 81]) net.connect(port, '${B}').on('error', () => {});
setTimeout(() => process.exit(0), 500);`;

test('the filter passes UDP to VIP:53 and TCP to VIP:80 only; the other frames did arrive', async () => {
  const spec = {
    vips: [
      { addr: B, proto: 'udp', port: 53 },
      { addr: B, proto: 'tcp', port: 80 },
    ],
  };
  const cap = lab.startNode('b', 'afpacket-probe.js', [
    'capture',
    'eth0',
    '--filter',
    JSON.stringify(spec),
  ]);
  await waitForLine(cap, 'ready');
  lab.run('a', 'ping', ['-c', '1', '-W', '5', B]);
  lab.run('a', process.execPath, ['-e', SEND]);
  lab.runNode('a', 'afpacket-probe.js', ['send-arena', 'eth0', taggedToVip().toString('hex')]);
  const report = await stopAndReport<CaptureReport>(cap);
  const [filtered, all] = report.ports.map((p) => p.frames);
  const kinds = (frames: typeof filtered) =>
    new Set(frames!.map((f) => (f.etherType === 0x0806 ? 'arp' : `${f.ipProto}:${f.dport}`)));
  // 6 = TCP, 17 = UDP, 1 = ICMP (the ping's dport is its id and sequence: only the protocol counts).
  const passed = kinds(filtered);
  const tagged = (frames: typeof filtered) => frames!.filter((f) => f.status & TpStatus.VlanValid);
  assert.equal(tagged(all).length, 1, 'the VLAN-tagged datagram arrived, its tag taken out');
  assert.equal(tagged(all)[0]!.dport, 53);
  assert.equal(tagged(filtered).length, 0, 'and the filter dropped it');
  assert.deepEqual([...passed].sort(), ['17:53', '6:80']);
  const seen = kinds(all);
  for (const k of ['arp', '17:53', '17:54', '6:80', '6:81'])
    assert.ok(seen.has(k), `the unfiltered socket saw no ${k}: ${[...seen].join(' ')}`);
  assert.ok(
    [...seen].some((k) => k.startsWith('1:')),
    'the unfiltered socket saw the ping',
  );
});
