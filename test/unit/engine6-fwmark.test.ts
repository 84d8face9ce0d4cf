// IPv6 firewall-mark services in the engine: the tap's copies (net/fwmark-tap.ts) arrive on the
// tap's interface toward the MAC that carries the mark and with the hop limit nf_dup_ipv6 took
// one from; the engine finds the service by the mark, sends the way back to where the client's
// frames were seen on the wire, keys persistence templates by the mark, and leaves the wire's
// own copy of a marked packet to the tap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FwdMethod, type ServiceKey } from '../../src/engine/model.js';
import { Verdict } from '../../src/engine/verdict.js';
import { formatIpv6, formatMac, parseMac } from '../../src/packet/addr.js';
import { Ipv6 } from '../../src/packet/ipv6.js';
import { fwmarkRuleset, markMac, markNeighbour6, TAP_ROUTE6 } from '../../src/net/fwmark-tap.js';
import { SourceCache6 } from '../../src/engine/source-cache6.js';
import { parseIpv6Words } from '../../src/packet/addr.js';
import { EngineRig } from './fixtures/engine-rig.js';
import {
  CLIENT_IF,
  DIR_CLIENT_MAC,
  DIR_SERVER_MAC,
  FakeEnv,
  SERVER_IF,
} from './fixtures/fake-env.js';
import { buildFrame6 } from './fixtures/frames6.js';
import { dest } from './fixtures/nat-director.js';
import {
  checksumOk6,
  CLIENT6,
  CLIENT_MAC,
  fields6,
  fromClient6,
  S1_6,
  S1_MAC,
  S2_6,
  S2_MAC,
  VIP6,
} from './fixtures/nat6-director.js';

const MARK_IF = 9;
const DIRECTOR6 = '2001:db8:20::254';
/** The MAC of the tap's own end (uvsfwm0), the source of its frames. */
const TAP_MAC = '02:7a:00:00:00:09';
const SYN = 0x02;
const SYNACK = 0x12;
const ACK = 0x10;
const KEY: ServiceKey = { kind: 'fwmark', fwmark: 7, family: 'inet6' };

function markDirector(
  opts: { persistence?: { timeout: number; netmask: string }; method?: FwdMethod } = {},
) {
  const env = new FakeEnv();
  env.macs.set(MARK_IF, parseMac('02:7b:00:00:00:09'));
  env.markIfIndex = MARK_IF;
  let now = 1_000_000;
  const rig = new EngineRig(env, () => now);
  const { persistence, method = FwdMethod.Masq } = opts;
  rig.director.addService({ key: KEY, scheduler: 'rr', ...(persistence ? { persistence } : {}) });
  rig.director.addDest(KEY, dest(S1_6, 0, 1, method));
  rig.director.addDest(KEY, dest(S2_6, 0, 1, method));
  rig.routeDestsVia(SERVER_IF);
  rig.addNeighbour6(S1_6, S1_MAC, SERVER_IF);
  rig.addNeighbour6(S2_6, S2_MAC, SERVER_IF);
  return {
    rig,
    director: rig.director,
    clock: { now: () => now, advance: (ms: number) => (now += ms) },
  };
}

/** The tap's copy of `f`: toward the mark's MAC, from uvsfwm0, one hop limit less. */
function tapCopy(f: Buffer, mark = 7): Buffer {
  const t = Buffer.from(f);
  markMac(mark).copy(t, 0);
  parseMac(TAP_MAC).copy(t, 6);
  t[14 + Ipv6.HopLimit] = t[14 + Ipv6.HopLimit]! - 1;
  return t;
}

/** A client's packet as seen on the wire and then through the tap; the tap's copy's verdict. */
function send(
  rig: EngineRig,
  now: number,
  spec: Parameters<typeof fromClient6>[0],
): { verdict: Verdict; wire: Verdict; frame: Buffer } {
  const f = fromClient6(spec);
  const wire = rig.process(Buffer.from(f), f.length, CLIENT_IF, now);
  const t = tapCopy(f);
  const verdict = rig.process(t, t.length, MARK_IF, now);
  return { verdict, wire, frame: t };
}

test('IPv6 fwmark: the tap copy of a SYN opens a connection by its mark, forwarded with the one hop-limit decrement of IPVS', () => {
  const { rig, director, clock } = markDirector();
  const { verdict, wire, frame } = send(rig, clock.now(), {
    sport: 40000,
    flags: SYN,
    dport: 8080,
  });
  assert.equal(wire, Verdict.NotOurs, 'the wire copy is left to the tap');
  assert.equal(verdict, Verdict.Forward);
  assert.equal(rig.txIfIndex, SERVER_IF);
  assert.deepEqual(fields6(frame), {
    dstMac: S1_MAC,
    srcMac: DIR_SERVER_MAC,
    src: CLIENT6,
    dst: S1_6,
    hopLimit: 63,
    sport: 40000,
    dport: 8080,
  });
  assert.ok(checksumOk6(frame));
  const conns = director.connections();
  assert.equal(conns.length, 1);
  assert.deepEqual(
    [conns[0]!.clientAddr, conns[0]!.virtualAddr, conns[0]!.virtualPort, conns[0]!.destAddr],
    [CLIENT6, VIP6, 8080, S1_6],
  );
});

test("IPv6 fwmark: the real server's reply goes back to the client's MAC on the interface its frames came in by", () => {
  const { rig, clock } = markDirector();
  send(rig, clock.now(), { sport: 40001, flags: SYN });
  const reply = buildFrame6({
    srcMac: S1_MAC,
    dstMac: DIR_SERVER_MAC,
    src: S1_6,
    dst: CLIENT6,
    proto: 'tcp',
    sport: 80,
    dport: 40001,
    flags: SYNACK,
  });
  assert.equal(rig.process(reply, reply.length, SERVER_IF, clock.now()), Verdict.Forward);
  assert.equal(rig.txIfIndex, CLIENT_IF);
  assert.deepEqual(fields6(reply), {
    dstMac: CLIENT_MAC,
    srcMac: DIR_CLIENT_MAC,
    src: VIP6,
    dst: CLIENT6,
    hopLimit: 63,
    sport: 80,
    dport: 40001,
  });
  assert.ok(checksumOk6(reply));
  // The client's next segments: the tap's copies are forwarded, the wire's are not ours.
  const next = send(rig, clock.now(), { sport: 40001, flags: ACK });
  assert.equal(next.wire, Verdict.NotOurs);
  assert.equal(next.verdict, Verdict.Forward);
  assert.equal(fields6(next.frame).dst, S1_6);
});

test('IPv6 fwmark: a tap frame whose mark has no service is not ours, and nothing is sent', () => {
  const { rig, clock } = markDirector();
  const f = fromClient6({ sport: 40002, flags: SYN });
  const other = tapCopy(f, 8);
  assert.equal(rig.process(other, other.length, MARK_IF, clock.now()), Verdict.NotOurs);
  assert.equal(rig.sent.length, 0);
});

test('IPv6 fwmark with persistence: one template keyed by the mark keeps a client on one server for every port', () => {
  const { rig, director, clock } = markDirector({ persistence: { timeout: 60, netmask: '128' } });
  const servers = [80, 8080, 443, 80].map(
    (dport, k) =>
      fields6(send(rig, clock.now(), { sport: 41000 + k, flags: SYN, dport }).frame).dst,
  );
  assert.deepEqual(servers, [S1_6, S1_6, S1_6, S1_6]);
  const other = send(rig, clock.now(), { src: '2001:db8:10::2', sport: 42000, flags: SYN });
  assert.equal(fields6(other.frame).dst, S2_6, 'another client is scheduled anew (rr)');
  const templates = director.connections().filter((c) => c.isTemplate);
  assert.deepEqual(
    templates
      .map((t) => [t.proto, t.clientAddr, t.clientPort, t.virtualAddr, t.virtualPort, t.destAddr])
      .sort(),
    [
      ['IP', CLIENT6, 0, '0:7::', 0, S1_6],
      ['IP', '2001:db8:10::2', 0, '0:7::', 0, S2_6],
    ],
  );
});

test('IPv6 fwmark: no real server in service answers port unreachable toward where the client was seen', () => {
  const { rig, director, clock } = markDirector();
  director.editDest(KEY, { ...dest(S1_6, 0), weight: 0 });
  director.editDest(KEY, { ...dest(S2_6, 0), weight: 0 });
  const { verdict } = send(rig, clock.now(), { sport: 40003, flags: SYN });
  assert.equal(verdict, Verdict.Reply);
  const out = rig.last.frame;
  assert.equal(rig.txIfIndex, CLIENT_IF);
  assert.equal(formatMac(out, 0), CLIENT_MAC);
  assert.equal(out[54], 1, 'ICMPv6 destination unreachable');
  assert.equal(out[55], 4, 'port unreachable');
});

test('the IPv6 source cache remembers where an address was last seen, by its whole address', () => {
  const c = new SourceCache6();
  const mac = Buffer.alloc(6);
  const a = parseIpv6Words('2001:db8:10::1');
  c.record(a, 0, 7, parseMac('02:00:00:00:00:01'), 0);
  assert.equal(c.lookup(a, 0, mac, 0), 7);
  assert.equal(formatMac(mac), '02:00:00:00:00:01');
  assert.equal(c.lookup(parseIpv6Words('2001:db8:10::2'), 0, mac, 0), -1);
  // Same XOR fold, another address: not taken for it.
  assert.equal(c.lookup(parseIpv6Words('2001:db8:11::1:1'), 0, mac, 0), -1);
  c.record(a, 0, 9, parseMac('02:00:00:00:00:09'), 0);
  assert.equal(c.lookup(a, 0, mac, 0), 9);
});

test('the IPv6 mark tap: an ip6 table duplicating each mark toward a link-local neighbour inside the tap route', () => {
  assert.deepEqual([0, 1, 0xffff, 0x10000].map(markNeighbour6), [
    'fe80::75:0:0:1',
    'fe80::75:0:0:2',
    'fe80::75:0:1:0',
    'fe80::75:0:1:1',
  ]);
  assert.equal(TAP_ROUTE6, 'fe80::75:0:0:0/96');
  assert.equal(
    fwmarkRuleset([1, 42], 6),
    [
      'table ip6 uvs_fwmark',
      'delete table ip6 uvs_fwmark',
      'table ip6 uvs_fwmark {',
      '  chain prerouting {',
      '    type filter hook prerouting priority -149; policy accept;',
      '    meta mark 1 dup to fe80::75:0:0:1 device "uvsfwm0" drop',
      '    meta mark 42 dup to fe80::75:0:0:2 device "uvsfwm0" drop',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
});

test('IPv6 fwmark DR: the tap copy goes to the real server with only the MACs changed and one hop-limit decrement', () => {
  const { rig, clock } = markDirector({ method: FwdMethod.Route });
  const { verdict, frame } = send(rig, clock.now(), { sport: 40010, flags: SYN, dport: 443 });
  assert.equal(verdict, Verdict.Forward);
  assert.equal(rig.txIfIndex, SERVER_IF);
  assert.deepEqual(fields6(frame), {
    dstMac: S1_MAC,
    srcMac: DIR_SERVER_MAC,
    src: CLIENT6,
    dst: VIP6,
    hopLimit: 63,
    sport: 40010,
    dport: 443,
  });
  assert.ok(checksumOk6(frame));
});

test('IPv6 fwmark TUN: the tap copy, its hop limit decremented once, inside IPv6-in-IPv6 toward the real server', () => {
  const { rig, director, clock } = markDirector({ method: FwdMethod.Tunnel });
  for (const x of director.table.activeDests()) x.tunnelSrc6.set(parseIpv6Words(DIRECTOR6));
  director.republish();
  const f = fromClient6({ sport: 40011, flags: SYN, payload: 'marked' });
  const inner = Buffer.from(f.subarray(14));
  rig.process(Buffer.from(f), f.length, CLIENT_IF, clock.now());
  const t = tapCopy(f);
  assert.equal(rig.process(t, t.length, MARK_IF, clock.now()), Verdict.Forward);
  const out = rig.last.frame;
  assert.equal(rig.txIfIndex, SERVER_IF);
  assert.equal(out.readUInt16BE(12), 0x86dd);
  assert.equal(out[14 + Ipv6.NextHeader], 41, 'next header: IPv6');
  assert.equal(out[14 + Ipv6.HopLimit], 63);
  assert.equal(formatIpv6(out, 14 + Ipv6.Src), DIRECTOR6);
  assert.equal(formatIpv6(out, 14 + Ipv6.Dst), S1_6);
  assert.equal(formatMac(out, 0), S1_MAC);
  inner[Ipv6.HopLimit] = inner[Ipv6.HopLimit]! - 1;
  assert.deepEqual(out.subarray(54), inner, 'the inner packet as the client sent it, one hop less');
});
