import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Verdict } from '../../src/engine/verdict.js';
import { parseIpv4, parseMac } from '../../src/packet/addr.js';
import { buildArpRequest } from '../../src/packet/arp.js';
import { buildFrame, checksumsOk, fieldsOf } from './fixtures/frames.js';
import { CLIENT_IF, DIR_CLIENT_MAC, DIR_SERVER_MAC, SERVER_IF } from './fixtures/fake-env.js';
import { CLIENT_MAC, natDirector, S1, S1_MAC, S2, VIP } from './fixtures/nat-director.js';

const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;
const SYNACK = 0x12;

function fromClient(sport: number, flags: number, payload = '', src = '192.168.10.1') {
  return buildFrame({
    srcMac: CLIENT_MAC,
    dstMac: DIR_CLIENT_MAC,
    src,
    dst: VIP,
    proto: 'tcp',
    sport,
    dport: 80,
    flags,
    payload,
  });
}

test('NAT: a SYN to the VIP is DNATed to a real server, MACs set toward it, TTL decremented', () => {
  const { engine, clock } = natDirector('rr');
  const f = fromClient(40000, SYN);
  const v = engine.process(f, f.length, CLIENT_IF, clock.now);
  assert.equal(v, Verdict.Forward);
  assert.equal(engine.txIfIndex, SERVER_IF);
  assert.equal(engine.txLen, f.length);
  assert.deepEqual(fieldsOf(f), {
    dstMac: S1_MAC,
    srcMac: DIR_SERVER_MAC,
    src: '192.168.10.1',
    dst: S1,
    ttl: 63,
    sport: 40000,
    dport: 80,
  });
  assert.ok(checksumsOk(f));
});

test('NAT: the reply of the real server is SNATed to VIP:vport and sent back to the client MAC', () => {
  const { engine, clock } = natDirector('rr', { rport: 8080 });
  const syn = fromClient(40001, SYN);
  engine.process(syn, syn.length, CLIENT_IF, clock.now);
  assert.equal(fieldsOf(syn).dport, 8080, 'port remap VIP:80 → RIP:8080');
  const reply = buildFrame({
    srcMac: S1_MAC,
    dstMac: DIR_SERVER_MAC,
    src: S1,
    dst: '192.168.10.1',
    proto: 'tcp',
    sport: 8080,
    dport: 40001,
    flags: SYNACK,
  });
  assert.equal(engine.process(reply, reply.length, SERVER_IF, clock.now), Verdict.Forward);
  assert.equal(engine.txIfIndex, CLIENT_IF);
  assert.deepEqual(fieldsOf(reply), {
    dstMac: CLIENT_MAC,
    srcMac: DIR_CLIENT_MAC,
    src: VIP,
    dst: '192.168.10.1',
    ttl: 63,
    sport: 80,
    dport: 40001,
  });
  assert.ok(checksumsOk(reply));
});

test('rr alternates S1, S2 over new connections', () => {
  const { engine, clock } = natDirector('rr');
  const got: string[] = [];
  for (let p = 0; p < 6; p++) {
    const f = fromClient(41000 + p, SYN);
    engine.process(f, f.length, CLIENT_IF, clock.now);
    got.push(fieldsOf(f).dst);
  }
  assert.deepEqual(got, [S1, S2, S1, S2, S1, S2]);
});

test('wrr 3:1 sends 30 of 40 new connections to the heavier server', () => {
  const { engine, clock } = natDirector('wrr', { weights: [3, 1] });
  let s1 = 0;
  for (let p = 0; p < 40; p++) {
    const f = fromClient(42000 + p, SYN);
    engine.process(f, f.length, CLIENT_IF, clock.now);
    if (fieldsOf(f).dst === S1) s1++;
  }
  assert.equal(s1, 30);
});

test('TCP states follow IPVS: SYN_RECV, ESTABLISHED (active), FIN_WAIT, TIME_WAIT; timeouts follow', () => {
  const { engine, director, clock } = natDirector('rr');
  const send = (flags: number, dir: 'in' | 'out') => {
    const f =
      dir === 'in'
        ? fromClient(43000, flags)
        : buildFrame({
            srcMac: S1_MAC,
            dstMac: DIR_SERVER_MAC,
            src: S1,
            dst: '192.168.10.1',
            proto: 'tcp',
            sport: 80,
            dport: 43000,
            flags,
          });
    engine.process(f, f.length, dir === 'in' ? CLIENT_IF : SERVER_IF, clock.now);
    const c = director.connections()[0]!;
    return { state: c.state, expires: c.expiresMs };
  };
  assert.deepEqual(send(SYN, 'in'), { state: 'SYN_RECV', expires: 60_000 });
  assert.deepEqual(send(SYNACK, 'out'), { state: 'SYN_RECV', expires: 60_000 });
  assert.deepEqual(send(ACK, 'in'), { state: 'ESTABLISHED', expires: 900_000 });
  const s1 = director.services()[0]!.dests[0]!;
  assert.equal(s1.activeConns, 1);
  assert.equal(s1.inactiveConns, 0);
  assert.deepEqual(send(FIN | ACK, 'in'), { state: 'CLOSE_WAIT', expires: 60_000 });
  assert.deepEqual(send(FIN | ACK, 'out'), { state: 'TIME_WAIT', expires: 120_000 });
  assert.equal(director.services()[0]!.dests[0]!.inactiveConns, 1);
  clock.advance(120_001);
  engine.tick(clock.now);
  assert.equal(director.connections().length, 0);
  assert.equal(director.services()[0]!.dests[0]!.inactiveConns, 0);
});

test('--set changes the established timeout used by new states', () => {
  const { engine, director, clock } = natDirector('rr');
  director.setTimeouts({ tcp: 30, tcpFin: 0, udp: 0 });
  assert.deepEqual(director.timeouts(), { tcp: 30, tcpFin: 120, udp: 300 });
  for (const flags of [SYN, ACK]) {
    const f = fromClient(44000, flags);
    engine.process(f, f.length, CLIENT_IF, clock.now);
  }
  assert.equal(director.connections()[0]!.expiresMs, 30_000);
});

test('lc sends a new connection to the server with fewer active connections', () => {
  const { engine, clock } = natDirector('lc');
  // Two established connections: first to S1, then lc picks S2 (both 0), then S1/S2 tie again.
  const open = (port: number) => {
    const syn = fromClient(port, SYN);
    engine.process(syn, syn.length, CLIENT_IF, clock.now);
    const dst = fieldsOf(syn).dst;
    const ack = fromClient(port, ACK);
    engine.process(ack, ack.length, CLIENT_IF, clock.now);
    return dst;
  };
  assert.equal(open(45000), S1);
  assert.equal(open(45001), S2);
  assert.equal(open(45002), S1);
  // S1 now holds 2 active, S2 1: the next goes to S2.
  assert.equal(open(45003), S2);
  assert.equal(open(45004), S1);
});

test('a non-SYN segment without a connection is dropped and counted, not scheduled', () => {
  const { engine, clock } = natDirector('rr');
  const f = fromClient(46000, ACK);
  assert.equal(engine.process(f, f.length, CLIENT_IF, clock.now), Verdict.Drop);
  assert.equal(engine.counters()['drop.no_connection'], 1);
});

test('UDP datagrams create a connection shown as UDP with the udp timeout', () => {
  const { engine, director, clock } = natDirector('rr', { proto: 'udp' });
  const f = buildFrame({
    srcMac: CLIENT_MAC,
    src: '192.168.10.1',
    dst: VIP,
    proto: 'udp',
    sport: 5000,
    dport: 80,
    payload: 'ping',
  });
  assert.equal(engine.process(f, f.length, CLIENT_IF, clock.now), Verdict.Forward);
  assert.ok(checksumsOk(f));
  const c = director.connections()[0]!;
  assert.equal(c.state, 'UDP');
  assert.equal(c.expiresMs, 300_000);
  assert.equal(director.services()[0]!.dests[0]!.inactiveConns, 1);
});

test('a frame to an unknown real-server neighbour is dropped and the neighbour requested', () => {
  const { engine, env, clock } = natDirector('rr');
  env.neighbours.clear();
  const f = fromClient(47000, SYN);
  assert.equal(engine.process(f, f.length, CLIENT_IF, clock.now), Verdict.Drop);
  assert.deepEqual(env.requested, [parseIpv4(S1)]);
});

test('ARP for a VIP that no kernel interface holds is answered with the interface MAC', () => {
  const { engine, clock } = natDirector('rr');
  const f = Buffer.alloc(60);
  buildArpRequest(f, parseMac(CLIENT_MAC), parseIpv4('192.168.10.1'), parseIpv4(VIP));
  assert.equal(engine.process(f, 60, CLIENT_IF, clock.now), Verdict.Reply);
  assert.equal(engine.txIfIndex, CLIENT_IF);
  assert.equal(f.readUInt16BE(20), 2, 'ARP reply');
  assert.equal(fieldsOf(f).dstMac, CLIENT_MAC);
  assert.deepEqual(
    [...f.subarray(22, 28)],
    [...parseMac(DIR_CLIENT_MAC)],
    'sender hardware address',
  );
  assert.equal(f.readUInt32BE(28), parseIpv4(VIP));
});

test('ARP for a VIP held by the kernel is left to the kernel', () => {
  const { engine, env, clock } = natDirector('rr');
  env.local.add(parseIpv4(VIP));
  const f = Buffer.alloc(60);
  buildArpRequest(f, parseMac(CLIENT_MAC), parseIpv4('192.168.10.1'), parseIpv4(VIP));
  assert.equal(engine.process(f, 60, CLIENT_IF, clock.now), Verdict.NotOurs);
});

test('a weight-0 server keeps its connections but takes no new one (quiescent)', () => {
  const { engine, director, key, clock } = natDirector('rr');
  const first = fromClient(48000, SYN);
  engine.process(first, first.length, CLIENT_IF, clock.now);
  assert.equal(fieldsOf(first).dst, S1);
  director.editDest(key, {
    addr: S1,
    port: 80,
    method: 0,
    weight: 0,
    upperThreshold: 0,
    lowerThreshold: 0,
  });
  const again = fromClient(48000, ACK);
  engine.process(again, again.length, CLIENT_IF, clock.now);
  assert.equal(fieldsOf(again).dst, S1, 'existing connection stays');
  for (let p = 1; p < 5; p++) {
    const f = fromClient(48000 + p, SYN);
    engine.process(f, f.length, CLIENT_IF, clock.now);
    assert.equal(fieldsOf(f).dst, S2);
  }
});

test('-Z zeroes the counters of one service or of all', () => {
  const { engine, director, key, clock } = natDirector('rr');
  const f = fromClient(49000, SYN);
  engine.process(f, f.length, CLIENT_IF, clock.now);
  assert.equal(director.services()[0]!.stats.conns, 1);
  assert.equal(director.services()[0]!.dests[0]!.stats.inPkts, 1);
  director.zero(key);
  assert.deepEqual(director.services()[0]!.stats, {
    conns: 0,
    inPkts: 0,
    outPkts: 0,
    inBytes: 0,
    outBytes: 0,
  });
  assert.equal(director.services()[0]!.dests[0]!.stats.inPkts, 0);
  assert.throws(
    () => director.zero({ kind: 'addr', proto: 'tcp', vip: '10.9.9.9', port: 1 }),
    /No such service/,
  );
});
