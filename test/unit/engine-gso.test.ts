// GSO super-frames through the engine: a 64 KiB burst crosses it once, leaves whole with its GSO
// fields for NAT and DR (the kernel or the NIC cuts it), and its partial checksum stays partial,
// updated for the pseudo-header only. Checked by cutting what uvs sends as the kernel would and
// verifying every segment's checksums in full.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FwdMethod } from '../../src/engine/model.js';
import { Verdict } from '../../src/engine/verdict.js';
import { parseIpv4 } from '../../src/packet/addr.js';
import { VnetFlag, VnetGso, VnetHdr } from '../../src/packet/virtio-net-hdr.js';
import { EngineRig } from './fixtures/engine-rig.js';
import { CLIENT_IF, FakeEnv, SERVER_IF } from './fixtures/fake-env.js';
import { buildFrame, checksumsOk, fieldsOf, type FrameSpec } from './fixtures/frames.js';
import { superFrame, wireSegments } from './fixtures/gso.js';
import { CLIENT_MAC, S1, S1_MAC, VIP } from './fixtures/nat-director.js';

const ROUTER_MAC = '02:77:00:00:00:01';
const MSS = 1448;

function rigWith(method: FwdMethod, proto: 'tcp' | 'udp' = 'tcp', rport = 8080) {
  const env = new FakeEnv().addNeighbour(S1, S1_MAC).addNeighbour('192.168.20.254', ROUTER_MAC);
  const rig = new EngineRig(env);
  const key = { kind: 'addr' as const, proto, vip: VIP, port: 80 };
  rig.director.addService({ key, scheduler: 'rr' });
  rig.director.addDest(key, {
    addr: S1,
    port: method === FwdMethod.Masq ? rport : 80,
    method,
    weight: 1,
    upperThreshold: 0,
    lowerThreshold: 0,
  });
  const d = [...rig.director.table.activeDests()][0]!;
  d.ifIndex = SERVER_IF;
  if (method === FwdMethod.Tunnel) {
    d.nextHop = parseIpv4('192.168.20.254');
    d.tunnelSrc = parseIpv4('192.168.20.253');
  }
  rig.director.republish();
  return rig;
}

const fromClient = (proto: 'tcp' | 'udp', flags: number): FrameSpec => ({
  srcMac: CLIENT_MAC,
  src: '192.168.10.1',
  dst: VIP,
  proto,
  sport: 40000,
  dport: 80,
  flags,
});

/** The client's SYN (a plain frame, complete checksum): the connection the bursts belong to. */
function open(rig: EngineRig): void {
  const syn = buildFrame(fromClient('tcp', 0x02));
  assert.equal(rig.process(syn, syn.length, CLIENT_IF, 0), Verdict.Forward);
}

for (const [name, method] of [
  ['NAT', FwdMethod.Masq],
  ['DR', FwdMethod.Route],
] as const) {
  test(`${name}: a TCP GSO super-frame crosses once, keeps its GSO fields, and its segments' checksums verify`, () => {
    const rig = rigWith(method);
    open(rig);
    const sf = superFrame(fromClient('tcp', 0x18), MSS, 45);
    assert.ok(sf.frame.length > 60000, 'a 64 KiB burst');
    const before = rig.sent.length;
    assert.equal(rig.process(sf.frame, sf.frame.length, CLIENT_IF, 0, sf.vnet), Verdict.Forward);
    assert.equal(rig.sent.length, before + 1, 'one frame out for one frame in');
    const out = rig.last;
    assert.equal(out.frame.length, sf.frame.length);
    assert.deepEqual(out.vnet, sf.vnet, 'virtio_net_hdr unchanged: the kernel cuts it');
    assert.equal(out.vnet[VnetHdr.GsoType], VnetGso.TcpV4);
    assert.ok(out.vnet[VnetHdr.Flags]! & VnetFlag.NeedsCsum, 'the checksum stays partial');
    const f = fieldsOf(out.frame);
    assert.equal(f.dst, method === FwdMethod.Masq ? S1 : VIP);
    assert.equal(f.dport, method === FwdMethod.Masq ? 8080 : 80);
    assert.equal(f.dstMac, S1_MAC);
    const segs = wireSegments(out.frame, out.vnet);
    assert.equal(segs.length, 45);
    segs.forEach((s, k) => assert.ok(checksumsOk(s), `segment ${k} checksums`));
  });
}

test("NAT: the real server's GSO reply is SNATed whole, partial checksum updated for the VIP", () => {
  const rig = rigWith(FwdMethod.Masq);
  open(rig);
  const sf = superFrame(
    {
      srcMac: S1_MAC,
      src: S1,
      dst: '192.168.10.1',
      proto: 'tcp',
      sport: 8080,
      dport: 40000,
      flags: 0x10,
    },
    MSS,
    30,
  );
  assert.equal(rig.process(sf.frame, sf.frame.length, SERVER_IF, 0, sf.vnet), Verdict.Forward);
  const out = rig.last;
  assert.equal(out.ifIndex, CLIENT_IF);
  assert.equal(fieldsOf(out.frame).src, VIP);
  assert.equal(fieldsOf(out.frame).sport, 80);
  const segs = wireSegments(out.frame, out.vnet);
  assert.equal(segs.length, 30);
  segs.forEach((s, k) => assert.ok(checksumsOk(s), `segment ${k} checksums`));
});

test('NAT: a UDP GSO super-frame (UDP_L4) keeps its fields; every datagram verifies', () => {
  const rig = rigWith(FwdMethod.Masq, 'udp', 5353);
  const sf = superFrame(fromClient('udp', 0), 1200, 20);
  assert.equal(rig.process(sf.frame, sf.frame.length, CLIENT_IF, 0, sf.vnet), Verdict.Forward);
  const out = rig.last;
  assert.equal(out.vnet[VnetHdr.GsoType], VnetGso.UdpL4);
  assert.equal(fieldsOf(out.frame).dport, 5353);
  const segs = wireSegments(out.frame, out.vnet);
  assert.equal(segs.length, 20);
  segs.forEach((s, k) => assert.ok(checksumsOk(s), `datagram ${k} checksums`));
});

test('a partial checksum without GSO stays partial through NAT and completes right', () => {
  const rig = rigWith(FwdMethod.Masq);
  open(rig);
  const sf = superFrame(fromClient('tcp', 0x18), 1000, 1);
  sf.vnet[VnetHdr.GsoType] = VnetGso.None;
  sf.vnet.writeUInt16LE(0, VnetHdr.GsoSize);
  assert.equal(rig.process(sf.frame, sf.frame.length, CLIENT_IF, 0, sf.vnet), Verdict.Forward);
  const [seg] = wireSegments(rig.last.frame, rig.last.vnet);
  assert.ok(checksumsOk(seg!));
});

test('TUN: a TCP super-frame is cut by uvs into IPIP packets of the path MTU, each complete', () => {
  const rig = rigWith(FwdMethod.Tunnel);
  open(rig);
  const sf = superFrame(fromClient('tcp', 0x19), MSS - 20, 40); // FIN|PSH|ACK on the burst
  const before = rig.sent.length;
  assert.equal(rig.process(sf.frame, sf.frame.length, CLIENT_IF, 0, sf.vnet), Verdict.Forward);
  const segs = rig.sent.slice(before);
  assert.equal(segs.length, 40);
  let payload = 0;
  segs.forEach((s, k) => {
    assert.equal(s.vnet[VnetHdr.GsoType], VnetGso.None, 'segments are plain frames');
    assert.equal(s.vnet[VnetHdr.Flags], 0, 'with complete checksums');
    assert.equal(s.frame[23], 4, 'IPIP');
    assert.ok(s.frame.length - 14 <= 1500, `segment ${k} fits the MTU`);
    const inner = Buffer.concat([s.frame.subarray(0, 14), s.frame.subarray(34)]);
    assert.ok(checksumsOk(inner), `inner packet ${k} checksums`);
    assert.equal(inner.readUInt32BE(14 + 20 + 4), (1000 + payload) >>> 0, `segment ${k} sequence`);
    const flags = inner[14 + 20 + 13]!;
    assert.equal((flags & 0x09) !== 0, k === 39, 'FIN and PSH on the last segment only');
    payload += inner.readUInt16BE(14 + 2) - 40;
  });
  assert.equal(payload, sf.frame.length - 54, 'the whole payload, once');
});
