// The IPv6 engine through EngineRig: NAT both ways with port remap, DR, schedulers, TCP states,
// the refusals and drops that IPv4 has, and -Lnc's view of IPv6 connections.
import { Ipv6 } from '../../src/packet/ipv6.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FwdMethod } from '../../src/engine/model.js';
import { Verdict } from '../../src/engine/verdict.js';
import { CLIENT_IF, DIR_CLIENT_MAC, DIR_SERVER_MAC, SERVER_IF } from './fixtures/fake-env.js';
import { buildFrame6 } from './fixtures/frames6.js';
import {
  checksumOk6,
  CLIENT6,
  CLIENT_MAC,
  fields6,
  fromClient6,
  nat6Director,
  S1_6,
  S1_MAC,
  S2_6,
  VIP6,
} from './fixtures/nat6-director.js';

const SYN = 0x02;
const SYNACK = 0x12;
const ACK = 0x10;

test('NAT6: a SYN to the VIP is DNATed to a real server with port remap, hop limit decremented, checksum right', () => {
  const { rig, clock } = nat6Director('rr', { rport: 8080 });
  const f = fromClient6({ sport: 40000, flags: SYN, payload: 'hello' });
  assert.equal(rig.process(f, f.length, CLIENT_IF, clock.now), Verdict.Forward);
  assert.equal(rig.txIfIndex, SERVER_IF);
  assert.deepEqual(fields6(f), {
    dstMac: S1_MAC,
    srcMac: DIR_SERVER_MAC,
    src: CLIENT6,
    dst: S1_6,
    hopLimit: 63,
    sport: 40000,
    dport: 8080,
  });
  assert.ok(checksumOk6(f));
});

test('NAT6: the real server reply is SNATed to [VIP]:vport and sent to the client MAC', () => {
  const { rig, clock } = nat6Director('rr', { rport: 8080, proto: 'udp' });
  const q = fromClient6({ sport: 5353, proto: 'udp', payload: 'query' });
  rig.process(q, q.length, CLIENT_IF, clock.now);
  const reply = buildFrame6({
    srcMac: S1_MAC,
    dstMac: DIR_SERVER_MAC,
    src: S1_6,
    dst: CLIENT6,
    proto: 'udp',
    sport: 8080,
    dport: 5353,
    payload: 'answer',
  });
  assert.equal(rig.process(reply, reply.length, SERVER_IF, clock.now), Verdict.Forward);
  assert.equal(rig.txIfIndex, CLIENT_IF);
  assert.deepEqual(fields6(reply), {
    dstMac: CLIENT_MAC,
    srcMac: DIR_CLIENT_MAC,
    src: VIP6,
    dst: CLIENT6,
    hopLimit: 63,
    sport: 80,
    dport: 5353,
  });
  assert.ok(checksumOk6(reply));
});

test('NAT6: rr alternates S1, S2 over new connections; -Lnc lists them with IPv6 addresses', () => {
  const { rig, director, clock } = nat6Director('rr');
  const got: string[] = [];
  for (let p = 0; p < 4; p++) {
    const f = fromClient6({ sport: 41000 + p, flags: SYN });
    rig.process(f, f.length, CLIENT_IF, clock.now);
    got.push(fields6(f).dst);
  }
  assert.deepEqual(got, [S1_6, S2_6, S1_6, S2_6]);
  const conns = director.connections();
  assert.equal(conns.length, 4);
  assert.deepEqual(
    { ...conns[0]!, expiresMs: 0 },
    {
      proto: 'TCP',
      expiresMs: 0,
      state: 'SYN_RECV',
      clientAddr: CLIENT6,
      clientPort: 41000,
      virtualAddr: VIP6,
      virtualPort: 80,
      destAddr: S1_6,
      destPort: 80,
      isTemplate: false,
    },
  );
});

test('NAT6: TCP states follow IPVS, the real server counts an active connection once established', () => {
  const { rig, director, clock } = nat6Director('rr');
  const send = (flags: number, dir: 'in' | 'out') => {
    const f =
      dir === 'in'
        ? fromClient6({ sport: 43000, flags })
        : buildFrame6({
            srcMac: S1_MAC,
            dstMac: DIR_SERVER_MAC,
            src: S1_6,
            dst: CLIENT6,
            proto: 'tcp',
            sport: 80,
            dport: 43000,
            flags,
          });
    rig.process(f, f.length, dir === 'in' ? CLIENT_IF : SERVER_IF, clock.now);
    return director.connections()[0]!.state;
  };
  assert.equal(send(SYN, 'in'), 'SYN_RECV');
  assert.equal(send(SYNACK, 'out'), 'SYN_RECV');
  assert.equal(send(ACK, 'in'), 'ESTABLISHED');
  const s1 = director.services()[0]!.dests.find((d) => d.addr === S1_6)!;
  assert.deepEqual([s1.activeConns, s1.inactiveConns], [1, 0]);
});

test('NAT6: a non-SYN segment without connection is dropped; a packet to no service is not ours', () => {
  const { rig, clock } = nat6Director('rr');
  const ack = fromClient6({ sport: 44000, flags: ACK });
  assert.equal(rig.process(ack, ack.length, CLIENT_IF, clock.now), Verdict.Drop);
  assert.equal(rig.counters()['drop.no_connection'], 1);
  const other = fromClient6({ sport: 44001, flags: SYN, dport: 81 });
  assert.equal(rig.process(other, other.length, CLIENT_IF, clock.now), Verdict.NotOurs);
});

test('IPv6 fragments to a VIP are dropped and counted; malformed chains and truncated frames too', () => {
  const { rig, clock } = nat6Director('rr');
  const frag = fromClient6({ sport: 45000, flags: SYN, ext: [{ type: 44, more: true }] });
  assert.equal(rig.process(frag, frag.length, CLIENT_IF, clock.now), Verdict.Drop);
  assert.equal(rig.counters()['drop.fragment'], 1);
  // An atomic fragment (offset 0, no M: RFC 6946) is a whole packet: forwarded.
  const atomic = fromClient6({ sport: 45001, flags: SYN, ext: [{ type: 44 }] });
  assert.equal(rig.process(atomic, atomic.length, CLIENT_IF, clock.now), Verdict.Forward);
  // Extension headers before TCP are walked: hop-by-hop, destination options.
  const ext = fromClient6({
    sport: 45002,
    flags: SYN,
    ext: [{ type: 0 }, { type: 60, extraUnits: 1 }],
  });
  assert.equal(rig.process(ext, ext.length, CLIENT_IF, clock.now), Verdict.Forward);
  assert.equal(fields6(ext).dst, S2_6, 'rr: the second connection');
  assert.ok(checksumOk6(ext));
  // Hop-by-hop after another header is malformed (RFC 8200 4.1).
  const bad = fromClient6({ sport: 45003, flags: SYN, ext: [{ type: 60 }, { type: 0 }] });
  assert.equal(rig.process(bad, bad.length, CLIENT_IF, clock.now), Verdict.Drop);
  assert.equal(rig.counters()['drop.bad_ip_header'], 1);
  const cut = fromClient6({ sport: 45004, flags: SYN, payload: 'x'.repeat(40) });
  assert.equal(rig.process(cut, cut.length - 10, CLIENT_IF, clock.now), Verdict.Drop);
  assert.equal(rig.counters()['drop.truncated'], 1);
});

test('DR6: the Ethernet header changes and the hop limit is decremented, nothing else', () => {
  const { rig, clock } = nat6Director('rr', { method: FwdMethod.Route });
  const f = fromClient6({ sport: 46000, flags: SYN, payload: 'dr' });
  const before = Buffer.from(f.subarray(14));
  assert.equal(rig.process(f, f.length, CLIENT_IF, clock.now), Verdict.Forward);
  // IPVS decrements the hop limit for every method (the IPv6 header has no checksum).
  before[Ipv6.HopLimit] = before[Ipv6.HopLimit]! - 1;
  assert.deepEqual(f.subarray(14), before);
  assert.equal(fields6(f).dstMac, S1_MAC);
  assert.equal(fields6(f).srcMac, DIR_SERVER_MAC);
});
