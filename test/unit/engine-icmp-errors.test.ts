// ICMP errors the director sends itself, as IPVS (through the kernel's icmp_send) does: port
// unreachable when no real server can take a new connection (ip_vs_leave), fragmentation needed
// for a DF packet too big for the path, for every forwarding method (ip_vs_xmit.c).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FwdMethod } from '../../src/engine/model.js';
import { Verdict } from '../../src/engine/verdict.js';
import { ipv4SetChecksum } from '../../src/packet/ipv4.js';
import { EngineRig } from './fixtures/engine-rig.js';
import { CLIENT_IF, DIR_SERVER_IP, FakeEnv, SERVER_IF } from './fixtures/fake-env.js';
import { buildFrame, checksumsOk, fieldsOf } from './fixtures/frames.js';
import { CLIENT_MAC, dest, natDirector, S1, S1_MAC, VIP } from './fixtures/nat-director.js';

const client = (sport: number, flags: number, payload = 0, proto: 'tcp' | 'udp' = 'tcp') =>
  buildFrame({
    srcMac: CLIENT_MAC,
    src: '192.168.10.1',
    dst: VIP,
    proto,
    sport,
    dport: 80,
    flags,
    payload: Buffer.alloc(payload),
  });

/** The ICMP type/code, next-hop MTU and quoted packet of an ICMP error frame. */
function icmpOf(frame: Buffer) {
  return {
    type: frame[34]!,
    code: frame[35]!,
    mtu: frame.readUInt16BE(40),
    quoted: frame.subarray(42),
  };
}

for (const proto of ['tcp', 'udp'] as const) {
  test(`no usable real server: a new ${proto.toUpperCase()} flow gets ICMP port unreachable from the VIP`, () => {
    const { engine, director, key, clock } = natDirector('rr', { proto });
    for (const s of [S1, '192.168.20.2']) director.editDest(key, { ...dest(s, 80), weight: 0 });
    const f = client(40000, 0x02, 10, proto);
    assert.equal(engine.process(f, f.length, CLIENT_IF, clock.now), Verdict.Reply);
    const out = engine.last;
    assert.equal(out.ifIndex, CLIENT_IF);
    assert.deepEqual(
      [fieldsOf(out.frame).src, fieldsOf(out.frame).dst, fieldsOf(out.frame).dstMac],
      [VIP, '192.168.10.1', CLIENT_MAC],
    );
    const icmp = icmpOf(out.frame);
    assert.deepEqual([icmp.type, icmp.code], [3, 3]);
    assert.deepEqual(icmp.quoted, f.subarray(14), 'the whole (small) packet is quoted');
    assert.ok(checksumsOk(out.frame));
    assert.equal(engine.counters()['port_unreachable'], 1);
    assert.equal(director.connections().length, 0, 'no connection is made');
  });
}

test('port unreachable answers are rate-limited, the rest counted as no_dest drops', () => {
  const { engine, director, key, clock } = natDirector('rr');
  director.deleteDest(key, S1, 80);
  director.deleteDest(key, '192.168.20.2', 80);
  let replies = 0;
  for (let p = 0; p < 200; p++) {
    const f = client(41000 + p, 0x02);
    if (engine.process(f, f.length, CLIENT_IF, clock.now) === Verdict.Reply) replies++;
  }
  assert.ok(replies >= 40 && replies < 200, `${replies} answered at once`);
  assert.equal(engine.counters()['drop.no_dest'], 200 - replies);
});

function withMtu(method: FwdMethod) {
  const env = new FakeEnv().addNeighbour(S1, S1_MAC);
  const rig = new EngineRig(env, () => 0);
  const key = { kind: 'addr' as const, proto: 'tcp' as const, vip: VIP, port: 80 };
  rig.director.addService({ key, scheduler: 'rr' });
  rig.director.addDest(key, dest(S1, 80, 1, method));
  rig.routeDestsVia(SERVER_IF);
  const d = [...rig.director.table.activeDests()][0]!;
  d.routeMtu = 1000;
  rig.director.republish();
  const syn = client(42000, 0x02);
  assert.equal(rig.process(syn, syn.length, CLIENT_IF, 0), Verdict.Forward);
  return rig;
}

for (const [name, method] of [
  ['NAT', FwdMethod.Masq],
  ['DR', FwdMethod.Route],
] as const) {
  test(`${name}: a DF packet too big for the path gets fragmentation needed with the path MTU`, () => {
    const rig = withMtu(method);
    const big = client(42000, 0x18, 1200);
    const before = Buffer.from(big);
    assert.equal(rig.process(big, big.length, CLIENT_IF, 0), Verdict.Reply);
    const out = rig.last;
    assert.equal(out.ifIndex, CLIENT_IF);
    assert.deepEqual([fieldsOf(out.frame).src, fieldsOf(out.frame).dst], [VIP, '192.168.10.1']);
    const icmp = icmpOf(out.frame);
    assert.deepEqual([icmp.type, icmp.code, icmp.mtu], [3, 4, 1000]);
    assert.deepEqual(icmp.quoted, before.subarray(14, 14 + 28), 'the packet as the client sent it');
    assert.ok(checksumsOk(out.frame));
    // A packet that fits still goes through.
    const small = client(42000, 0x18, 900);
    assert.equal(rig.process(small, small.length, CLIENT_IF, 0), Verdict.Forward);
  });
}

test('without DF, a packet too big is dropped and counted (uvs does not fragment)', () => {
  const rig = withMtu(FwdMethod.Masq);
  const big = client(42000, 0x18, 1200);
  big.writeUInt16BE(0, 14 + 6); // clear DF
  ipv4SetChecksum(big, 14);
  assert.equal(rig.process(big, big.length, CLIENT_IF, 0), Verdict.Drop);
  assert.equal(rig.counters()['drop.too_big'], 1);
});

test('NAT: a real server reply too big for the client side gets fragmentation needed from the director', () => {
  const { engine, env, clock } = natDirector('rr');
  const syn = client(43000, 0x02);
  engine.process(syn, syn.length, CLIENT_IF, clock.now);
  env.mtu = 1000;
  const reply = buildFrame({
    srcMac: S1_MAC,
    src: S1,
    dst: '192.168.10.1',
    proto: 'tcp',
    sport: 80,
    dport: 43000,
    flags: 0x10,
    payload: Buffer.alloc(1200),
  });
  assert.equal(engine.process(reply, reply.length, SERVER_IF, clock.now), Verdict.Reply);
  const out = engine.last;
  assert.equal(out.ifIndex, SERVER_IF);
  assert.deepEqual([fieldsOf(out.frame).src, fieldsOf(out.frame).dst], [DIR_SERVER_IP, S1]);
  assert.deepEqual(
    [icmpOf(out.frame).type, icmpOf(out.frame).code, icmpOf(out.frame).mtu],
    [3, 4, 1000],
  );
});
