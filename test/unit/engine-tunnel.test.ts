import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipv4SetChecksum } from '../../src/packet/ipv4.js';
import { FwdMethod } from '../../src/engine/model.js';
import { Verdict } from '../../src/engine/verdict.js';
import { finish, sum16 } from '../../src/packet/checksum.js';
import { parseIpv4 } from '../../src/packet/addr.js';
import { buildFrame, checksumsOk, fieldsOf } from './fixtures/frames.js';
import { EngineRig } from './fixtures/engine-rig.js';
import { CLIENT_IF, DIR_CLIENT_MAC, FakeEnv, SERVER_IF } from './fixtures/fake-env.js';

const VIP = '192.168.20.23';
const RIP = '192.168.30.1';
const ROUTER_MAC = '02:77:00:00:00:01';
const CLIENT_MAC = '02:c1:00:00:00:01';

function tunDirector() {
  const env = new FakeEnv().addNeighbour('192.168.20.254', ROUTER_MAC);
  const engine = new EngineRig(env);
  const director = engine.director;
  const key = { kind: 'addr' as const, proto: 'tcp' as const, vip: VIP, port: 80 };
  director.addService({ key, scheduler: 'rr' });
  director.addDest(key, {
    addr: RIP,
    port: 80,
    method: FwdMethod.Tunnel,
    weight: 1,
    upperThreshold: 0,
    lowerThreshold: 0,
  });
  const d = [...director.table.activeDests()][0]!;
  d.ifIndex = SERVER_IF;
  d.nextHop = parseIpv4('192.168.20.254');
  d.tunnelSrc = parseIpv4('192.168.20.253');
  director.republish();
  return { env, engine };
}

test('TUN: the packet, its TTL decremented, inside an IPIP header to the real server, via its next hop', () => {
  const { engine } = tunDirector();
  const f = buildFrame({
    srcMac: CLIENT_MAC,
    dstMac: DIR_CLIENT_MAC,
    src: '192.168.10.1',
    dst: VIP,
    proto: 'tcp',
    sport: 40000,
    dport: 80,
    flags: 0x02,
    payload: 'x'.repeat(100),
  });
  const inner = Buffer.from(f.subarray(14));
  // Frames arrive with headroom before them: the outer header is written there.
  assert.equal(engine.process(f, f.length, CLIENT_IF, 0), Verdict.Forward);
  assert.equal(engine.txIfIndex, SERVER_IF);
  assert.equal(engine.txLen, f.length + 20);
  const out = engine.last.frame;
  assert.equal(fieldsOf(out).dstMac, ROUTER_MAC);
  assert.equal(out[14], 0x45);
  assert.equal(out[14 + 9], 4, 'IP protocol 4 (IPIP)');
  assert.equal(out.readUInt16BE(14 + 2), inner.length + 20);
  assert.equal(out.readUInt16BE(14 + 6) & 0x4000, 0x4000, 'DF copied from the inner header');
  assert.equal(out[14 + 8], 63, "the outer TTL is the inner one's, decremented (as IPVS)");
  assert.equal(out.readUInt32BE(14 + 12), parseIpv4('192.168.20.253'));
  assert.equal(out.readUInt32BE(14 + 16), parseIpv4(RIP));
  assert.equal(finish(sum16(out, 14, 20)), 0, 'outer checksum');
  // The inner packet as it came, but for its TTL (64 → 63) and so its header checksum.
  inner[8] = 63;
  ipv4SetChecksum(inner, 0);
  assert.deepEqual(out.subarray(34), inner, 'inner packet unchanged but for its TTL');
});

test('TUN: a DF packet too big once encapsulated gets ICMP fragmentation-needed with the inner MTU', () => {
  const { engine, env } = tunDirector();
  env.mtu = 1200;
  const syn = buildFrame({
    srcMac: CLIENT_MAC,
    src: '192.168.10.1',
    dst: VIP,
    proto: 'tcp',
    sport: 40001,
    dport: 80,
    flags: 0x02,
  });
  engine.process(syn, syn.length, CLIENT_IF, 0);
  const big = buildFrame({
    srcMac: CLIENT_MAC,
    src: '192.168.10.1',
    dst: VIP,
    proto: 'tcp',
    sport: 40001,
    dport: 80,
    flags: 0x10,
    payload: Buffer.alloc(1300),
  });
  assert.equal(engine.process(big, big.length, CLIENT_IF, 0), Verdict.Reply);
  assert.equal(engine.txIfIndex, CLIENT_IF);
  const icmp = engine.last.frame;
  assert.deepEqual(
    { src: fieldsOf(icmp).src, dst: fieldsOf(icmp).dst, dstMac: fieldsOf(icmp).dstMac },
    { src: VIP, dst: '192.168.10.1', dstMac: CLIENT_MAC },
  );
  assert.equal(icmp[14 + 9], 1);
  assert.deepEqual([icmp[34], icmp[35]], [3, 4]);
  assert.equal(icmp.readUInt16BE(34 + 6), 1180, 'MTU left for the inner packet');
  assert.deepEqual(
    icmp.subarray(42, 42 + 28),
    big.subarray(14, 42),
    'quotes the IP header and 8 bytes',
  );
  assert.ok(checksumsOk(icmp));
  assert.equal(engine.counters()['frag_needed'], 1);
});
