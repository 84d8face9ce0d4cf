// Neighbour discovery on the forwarding threads (engine/ndp6.ts) through EngineRig: the
// solicitation for a VIP uvsd holds itself is answered in place, one for an address the kernel
// holds is left to it; advertisements teach the shared table what was asked for; an unresolved
// next hop is solicited once a second whichever thread asks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSnapshot } from '../../src/engine/compile-snapshot.js';
import { NO_DEFENSE } from '../../src/engine/empty-snapshot.js';
import { Engine } from '../../src/engine/engine.js';
import { EngineShared } from '../../src/engine/engine-shared.js';
import { Verdict } from '../../src/engine/verdict.js';
import { formatIpv6, formatMac, parseIpv6, parseMac } from '../../src/packet/addr.js';
import { FIRST_FRAME_OFFSET } from '../../src/packet/frame-layout.js';
import { Icmp6Type } from '../../src/packet/icmpv6.js';
import {
  buildNeighborAdvert,
  buildNeighborSolicit,
  NaFlag,
  naFlags,
  Ndp,
  NDP_FRAME_LEN,
  ndpValidate,
} from '../../src/packet/ndp.js';
import {
  CLIENT_IF,
  DIR_CLIENT_MAC,
  DIR_SERVER_MAC,
  FakeEnv,
  SERVER_IF,
} from './fixtures/fake-env.js';
import {
  CLIENT6,
  CLIENT_MAC,
  fromClient6,
  nat6Director,
  S1_6,
  S1_MAC,
  VIP6,
} from './fixtures/nat6-director.js';

const IP = 14;
const ICMP = 54;

function solicitVip(target = VIP6): Buffer {
  const b = Buffer.alloc(NDP_FRAME_LEN);
  buildNeighborSolicit(b, parseMac(CLIENT_MAC), parseIpv6(CLIENT6), 0, parseIpv6(target), 0);
  return b;
}

test('a solicitation for a VIP uvsd holds itself is answered in place: an advertisement from the interface MAC', () => {
  const { rig, clock } = nat6Director('rr');
  const ns = solicitVip();
  assert.equal(rig.process(ns, ns.length, CLIENT_IF, clock.now), Verdict.Reply);
  const na = rig.last.frame;
  assert.equal(rig.last.ifIndex, CLIENT_IF);
  assert.equal(ndpValidate(na, IP, ICMP, na.length), Icmp6Type.NeighborAdvert);
  assert.equal(formatMac(na, 0), CLIENT_MAC);
  assert.equal(formatMac(na, 6), DIR_CLIENT_MAC);
  assert.equal(formatIpv6(na, IP + 8), VIP6);
  assert.equal(formatIpv6(na, IP + 24), CLIENT6);
  assert.equal(formatIpv6(na, ICMP + Ndp.Target), VIP6);
  assert.equal(naFlags(na, ICMP), NaFlag.Solicited | NaFlag.Override);
  assert.equal(formatMac(na, ICMP + Ndp.Options + 2), DIR_CLIENT_MAC, 'target link-layer option');
  assert.equal(rig.counters()['replied'], 1);
});

test('a solicitation for a VIP the kernel holds, or for another address, is left to the kernel', () => {
  const env = new FakeEnv();
  env.local6.add(VIP6);
  const { rig, clock } = nat6Director('rr', { env });
  const before = rig.sent.length;
  for (const target of [VIP6, '2001:db8:10::254']) {
    const ns = solicitVip(target);
    assert.equal(rig.process(ns, ns.length, CLIENT_IF, clock.now), Verdict.NotOurs, target);
  }
  assert.equal(rig.sent.length, before);
});

test('an unresolved next hop is solicited from the on-prefix address, once a second across threads', () => {
  const env = new FakeEnv();
  let now = 5_000_000;
  const { rig, director, key } = nat6Director('rr', { env });
  // A third server nobody has resolved yet.
  director.addDest(key, {
    addr: '2001:db8:20::3',
    port: 80,
    method: 0,
    weight: 100,
    upperThreshold: 0,
    lowerThreshold: 0,
  });
  director.editDest(key, {
    addr: S1_6,
    port: 80,
    method: 0,
    weight: 0,
    upperThreshold: 0,
    lowerThreshold: 0,
  });
  director.editDest(key, {
    addr: '2001:db8:20::2',
    port: 80,
    method: 0,
    weight: 0,
    upperThreshold: 0,
    lowerThreshold: 0,
  });
  rig.routeDestsVia(SERVER_IF);
  const syn = fromClient6({ sport: 40000, flags: 0x02 });
  assert.equal(rig.process(syn, syn.length, CLIENT_IF, now), Verdict.Drop);
  assert.equal(rig.counters()['drop.no_neighbour'], 1);
  const ns = rig.last.frame;
  assert.equal(rig.last.ifIndex, SERVER_IF);
  assert.equal(ndpValidate(ns, IP, ICMP, ns.length), Icmp6Type.NeighborSolicit);
  assert.equal(formatMac(ns, 0), '33:33:ff:00:00:03');
  assert.equal(formatMac(ns, 6), DIR_SERVER_MAC);
  assert.equal(formatIpv6(ns, IP + 8), '2001:db8:20::254', 'our address on its prefix');
  assert.equal(formatIpv6(ns, IP + 24), 'ff02::1:ff00:3');
  assert.equal(formatIpv6(ns, ICMP + Ndp.Target), '2001:db8:20::3');
  // A worker thread with its own engine over the same shared state asks within the second.
  const worker = EngineShared.attach(rig.shared.handles, 1);
  const sent: Buffer[] = [];
  const other = new Engine(worker, env, {
    send: (b, o, l) => void sent.push(b.subarray(o, o + l)),
  });
  other.configure(
    compileSnapshot(director.table, director.timeoutSettings, env.facts(), 1000, NO_DEFENSE),
  );
  // Laid out as packet/frame-layout.ts says: headroom and virtio_net_hdr first.
  const frame = fromClient6({ sport: 40001, flags: 0x02 });
  const syn2 = Buffer.alloc(FIRST_FRAME_OFFSET + frame.length);
  frame.copy(syn2, FIRST_FRAME_OFFSET);
  const at = FIRST_FRAME_OFFSET;
  now += 500;
  assert.equal(other.process(syn2, at, frame.length, CLIENT_IF, now), Verdict.Drop);
  assert.equal(
    sent.filter((f) => f[ICMP] === Icmp6Type.NeighborSolicit).length,
    0,
    'asked already',
  );
  now += 1000;
  other.process(syn2, at, frame.length, CLIENT_IF, now);
  assert.equal(
    sent.filter((f) => f[ICMP] === Icmp6Type.NeighborSolicit).length,
    1,
    'a second later',
  );
});

test('an advertisement teaches the shared table the MAC that was asked for, and only that', () => {
  const { rig, clock } = nat6Director('rr');
  const stranger = '2001:db8:20::99';
  const t = rig.shared.neighbours6;
  t.ask(parseIpv6('2001:db8:20::3'), 0, SERVER_IF, clock.now);
  for (const [target, mac] of [
    ['2001:db8:20::3', '02:53:00:00:00:03'],
    [stranger, '02:99:00:00:00:99'],
  ] as const) {
    const na = Buffer.alloc(NDP_FRAME_LEN);
    buildNeighborAdvert(
      na,
      parseMac(mac),
      parseIpv6(target),
      0,
      parseIpv6('2001:db8:20::254'),
      0,
      parseMac(DIR_SERVER_MAC),
      NaFlag.Solicited | NaFlag.Override,
    );
    assert.equal(rig.process(na, na.length, SERVER_IF, clock.now), Verdict.NotOurs);
  }
  const out = Buffer.alloc(6);
  assert.ok(t.lookup(parseIpv6('2001:db8:20::3'), 0, out, 0));
  assert.equal(formatMac(out), '02:53:00:00:00:03');
  assert.equal(t.lookup(parseIpv6(stranger), 0, out, 0), false, 'nobody asked for it');
  // A known server's MAC is replaced only by an advertisement with the override flag.
  const moved = Buffer.alloc(NDP_FRAME_LEN);
  buildNeighborAdvert(
    moved,
    parseMac('02:51:00:00:00:99'),
    parseIpv6(S1_6),
    0,
    parseIpv6('ff02::1'),
    0,
    parseMac('33:33:00:00:00:01'),
    0,
  );
  rig.process(moved, moved.length, SERVER_IF, clock.now);
  assert.ok(t.lookup(parseIpv6(S1_6), 0, out, 0));
  assert.equal(formatMac(out), S1_MAC);
});

test('a VRRP backup neither answers ND for an IPv6 VIP the master holds nor serves it; as master it does both', () => {
  const env = new FakeEnv();
  env.disowned6.add(VIP6);
  const { rig, clock } = nat6Director('rr', { env });
  const before = rig.sent.length;
  const ns = solicitVip();
  assert.equal(rig.process(ns, ns.length, CLIENT_IF, clock.now), Verdict.NotOurs, 'ND');
  const syn = fromClient6({ sport: 40001, flags: 0x02 });
  assert.equal(rig.process(syn, syn.length, CLIENT_IF, clock.now), Verdict.NotOurs, 'SYN');
  assert.equal(rig.sent.length, before);
  env.disowned6.clear(); // VRRP: this director is master now
  assert.equal(rig.process(ns, ns.length, CLIENT_IF, clock.now), Verdict.Reply, 'ND as master');
  assert.equal(
    rig.process(syn, syn.length, CLIENT_IF, clock.now),
    Verdict.Forward,
    'SYN as master',
  );
});
