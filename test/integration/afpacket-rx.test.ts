// Frames from a peer namespace arrive in the receive ring whole, with their lengths; a TCP
// stream arrives as GSO super-frames with their virtio_net_hdr. Offloads are left on.
//
//   a (eth0 10.211.0.1) ──veth── b (eth0 10.211.0.2): afpacket-probe capture, TCP sink
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TpStatus } from '../../src/io/afpacket/tpacket.js';
import { VnetFlag, VnetGso } from '../../src/packet/virtio-net-hdr.js';
import { NetnsLab, stopAndReport, waitForLine } from './fixtures/afpacket-netns.js';
import type { CaptureReport, FrameSummary } from './fixtures/afpacket-probe.js';

const A = '10.211.0.1';
const B = '10.211.0.2';
const lab = new NetnsLab();

before(() => {
  lab.addHosts('a', 'b').link('a', 'eth0', 'b', 'eth0');
  lab.addr('a', 'eth0', `${A}/24`).addr('b', 'eth0', `${B}/24`);
  lab.run('a', 'ping', ['-c', '1', '-W', '5', B]); // ARP resolved before any capture
});

after(() => lab.destroy());

async function captureWhile(ring: 'v2' | 'v3', during: () => void): Promise<FrameSummary[]> {
  const cap = lab.startNode('b', 'afpacket-probe.js', ['capture', 'eth0', '--ring', ring]);
  await waitForLine(cap, 'ready');
  during();
  const report = await stopAndReport<CaptureReport>(cap);
  const port = report.ports[0]!;
  assert.equal(port.truncated, 0, 'no frame truncated');
  assert.equal(port.malformed, 0);
  return port.frames;
}

const UDP_SEND = `const s=require('dgram').createSocket('udp4');let n=0;for(const len of [10,1400,1472])s.send(Buffer.alloc(len,1),9999,'${B}',()=>{if(++n===3)s.close()})`;

for (const ring of ['v2', 'v3'] as const) {
  test(`${ring}: pings and datagrams from a peer arrive with their exact lengths`, async () => {
    const frames = await captureWhile(ring, () => {
      for (const size of [100, 1000, 1472])
        lab.run('a', 'ping', ['-c', '1', '-W', '5', '-s', String(size), B]);
      lab.run('a', process.execPath, ['-e', UDP_SEND]);
    });
    const icmp = frames.filter((f) => f.ipProto === 1).map((f) => f.len);
    // Echo requests only: the replies b sends are outgoing, and PACKET_IGNORE_OUTGOING hides them.
    assert.deepEqual(
      icmp.sort((x, y) => x - y),
      [14 + 28 + 100, 14 + 28 + 1000, 14 + 28 + 1472],
    );
    const udp = frames.filter((f) => f.ipProto === 17 && f.dport === 9999).map((f) => f.len);
    assert.deepEqual(
      udp.sort((x, y) => x - y),
      [14 + 28 + 10, 14 + 28 + 1400, 14 + 28 + 1472],
    );
    assert.ok(
      frames.every((f) => f.pktType !== 4),
      'no outgoing frame',
    );
  });

  test(`${ring}: a TCP stream arrives as GSO super-frames with a TCPV4, NEEDS_CSUM vnet header`, async () => {
    const sink = lab.startNode('b', 'afpacket-tcp.js', ['sink', '5001']);
    await waitForLine(sink, 'listening');
    const frames = await captureWhile(ring, () => {
      lab.runNode('a', 'afpacket-tcp.js', ['send', B, '5001', String(4 << 20), '7']);
    });
    const data = frames.filter((f) => f.ipProto === 6 && f.dport === 5001);
    const big = data.filter((f) => f.len > 1514);
    assert.ok(big.length > 0, `no super-frame among ${data.length} TCP frames`);
    for (const f of big) {
      assert.equal(f.vnet.gsoType & ~VnetGso.Ecn, VnetGso.TcpV4);
      assert.ok(f.vnet.flags & VnetFlag.NeedsCsum, 'partial checksum');
      assert.equal(f.vnet.csumStart, 14 + 20, 'checksum summed from the TCP header');
      assert.equal(f.vnet.csumOffset, 16, 'into the TCP checksum field');
      assert.ok(f.vnet.gsoSize > 0 && f.vnet.gsoSize <= 1460, `gso_size ${f.vnet.gsoSize}`);
      assert.ok(f.status & TpStatus.CsumNotReady);
    }
    const largest = Math.max(...big.map((f) => f.len));
    assert.ok(largest > 8 * 1514, `largest super-frame ${largest} bytes`);
  });
}

test('a PACKET_FANOUT hash group keeps each flow on one socket and spreads flows over both', async () => {
  const cap = lab.startNode('b', 'afpacket-probe.js', ['capture', 'eth0', '--fanout', '2']);
  await waitForLine(cap, 'ready');
  // 32 flows (source ports 6000..6031) of 5 datagrams each.
  const send = `const d=require('dgram');let left=32;for(let f=0;f<32;f++){const s=d.createSocket('udp4');s.bind(6000+f,()=>{let n=0;const go=()=>s.send('x',9998,'${B}',()=>{if(++n<5)go();else{s.close();if(--left===0)process.exit(0)}});go()})}`;
  lab.run('a', process.execPath, ['-e', send]);
  const report = await stopAndReport<CaptureReport>(cap);
  const flowsOf = report.ports.map((p) => {
    const datagrams = new Map<number, number>();
    for (const f of p.frames)
      if (f.dport === 9998) datagrams.set(f.sport, (datagrams.get(f.sport) ?? 0) + 1);
    return datagrams;
  });
  const [one, two] = flowsOf as [Map<number, number>, Map<number, number>];
  assert.equal(one.size + two.size, 32, 'every flow seen, each by one socket only');
  for (const [sport, n] of [...one, ...two]) assert.equal(n, 5, `flow ${sport} split or lost`);
  assert.ok(one.size > 0 && two.size > 0, `all flows on one socket: ${one.size}/${two.size}`);
});
