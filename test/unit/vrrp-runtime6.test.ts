// Two directors' VRRP runtimes with an IPv6 vrrp_instance on a simulated LAN, with the fake
// clock: the higher priority becomes master, its adverts are VRRP version 3 over IPv6 from its
// link-local address to ff02::12, it announces its VIPs with unsolicited neighbour
// advertisements (garp_master_repeat, again after garp_master_delay) and owns them; its cable
// pulled, the backup takes over within 3 × advert_int + skew. Real frames; nothing sleeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../src/clock/fake-clock.js';
import { parseKeepalivedText } from '../../src/keepalived/config.js';
import { formatIpv6, formatMac } from '../../src/packet/addr.js';
import { Icmp6Type } from '../../src/packet/icmpv6.js';
import { NaFlag, naFlags, Ndp, ndpValidate } from '../../src/packet/ndp.js';
import { vrrpFromKeepalived } from '../../src/vrrp/from-keepalived.js';
import { parseIpv6Big } from '../../src/vrrp/vrrp-addr.js';
import { VRRP_GROUP6, vrrpFrameFacts6 } from '../../src/vrrp/vrrp-frame6.js';
import { readAdvert } from '../../src/vrrp/vrrp-packet.js';
import { VrrpRuntime } from '../../src/vrrp/vrrp-runtime.js';
import { FakeLan } from './fixtures/vrrp-wire.js';

const conf = (priority: number): string => `
vrrp_instance VI_6 {
  state BACKUP
  interface eth1
  virtual_router_id 60
  priority ${priority}
  advert_int 1
  garp_master_delay 2
  garp_master_repeat 3
  virtual_ipaddress {
    fe80::60/64
    2001:db8:10::23/64
  }
}
`;

const VIP = parseIpv6Big('2001:db8:10::23');
const LL1 = parseIpv6Big('fe80::d1');
const LL2 = parseIpv6Big('fe80::d2');

function pair() {
  const clock = new FakeClock();
  const lan = new FakeLan(clock, 1);
  const mk = (name: string, mac: string, ll: bigint, prio: number) => {
    // director1 forwards IPv6 (a director does), director2 not: the R flag follows.
    const station = lan.station(name, mac, { eth1: 0 }).linkLocal('eth1', ll, prio === 150);
    const { config, warnings } = vrrpFromKeepalived(parseKeepalivedText(conf(prio), 'v6.conf'));
    assert.deepEqual(warnings, []);
    const logs: string[] = [];
    const rt = new VrrpRuntime(config, {
      clock,
      link: station,
      host: station,
      ownership: station,
      exec: () => Promise.resolve(true),
      log: (m) => logs.push(m),
    });
    return { station, rt, logs };
  };
  return {
    clock,
    d1: mk('director1', '02:d1:00:00:00:00', LL1, 150),
    d2: mk('director2', '02:d2:00:00:00:00', LL2, 100),
  };
}

function until(clock: FakeClock, ok: () => boolean, maxMs: number): number {
  const start = clock.now();
  while (!ok()) {
    if (clock.now() - start > maxMs) assert.fail(`not within ${maxMs} ms`);
    clock.advance(1);
  }
  return clock.now() - start;
}

const state = (rt: VrrpRuntime): string => rt.instances()[0]!.state;
const IPV6 = 0x86dd;
const isNa = (f: Buffer): boolean =>
  f.readUInt16BE(12) === IPV6 && ndpValidate(f, 14, 54, f.length) === Icmp6Type.NeighborAdvert;

test('IPv6 instance: the higher priority becomes master, holds and owns the IPv6 VIPs, the other stays backup', () => {
  const { clock, d1, d2 } = pair();
  d1.rt.start();
  d2.rt.start();
  assert.ok(d1.logs.includes('(VI_6) Entering BACKUP STATE (startup)'));
  const t = until(clock, () => state(d1.rt) === 'MASTER', 10_000);
  assert.equal(t, Math.ceil(3000 + ((256 - 150) * 1000) / 256));
  clock.advance(5000);
  assert.deepEqual([state(d1.rt), state(d2.rt)], ['MASTER', 'BACKUP']);
  assert.deepEqual([...d1.station.held].sort(), [
    '2001:db8:10::23/64 dev eth1',
    'fe80::60/64 dev eth1',
  ]);
  assert.deepEqual([...d2.station.held], []);
  assert.ok(d1.station.owned.has(VIP) && d1.station.owned.has(parseIpv6Big('fe80::60')));
  assert.equal(d2.station.owned.size, 0, 'the backup owns no IPv6 VIP: no ND, no forwarding');
  assert.equal(d2.rt.rxErrors.checksum, 0);
});

test("the IPv6 master's adverts and neighbour advertisements as they leave", () => {
  const { clock, d1, d2 } = pair();
  d1.rt.start();
  d2.rt.start();
  until(clock, () => state(d1.rt) === 'MASTER', 10_000);
  clock.advance(3000);
  const adverts = d1.station.sent.filter((s) => vrrpFrameFacts6(s.frame, s.frame.length));
  assert.ok(adverts.length >= 3, `${adverts.length} adverts`);
  const f = adverts[0]!.frame;
  assert.equal(formatMac(f, 0) + ' ' + formatMac(f, 6), '33:33:00:00:00:12 00:00:5e:00:02:3c');
  const facts = vrrpFrameFacts6(f, f.length)!;
  assert.deepEqual([facts.src, facts.dst, facts.ttl], [LL1, VRRP_GROUP6, 255]);
  const a = readAdvert(f, facts.off, facts.len, 6, facts.pseudo);
  assert.deepEqual(a, {
    version: 3,
    vrid: 60,
    priority: 150,
    intervalCs: 100,
    addrs: [parseIpv6Big('fe80::60'), VIP],
    authType: 0,
  });
  // garp_master_repeat 3 per VIP at once, 3 more garp_master_delay (2 s) later: 12 in all.
  const nas = d1.station.sent.filter((s) => isNa(s.frame));
  assert.equal(nas.length, 12);
  const na = nas.find((s) => formatIpv6(s.frame, 54 + Ndp.Target) === '2001:db8:10::23')!.frame;
  assert.equal(formatIpv6(na, 14 + 24), 'ff02::1');
  assert.equal(naFlags(na, 54), NaFlag.Override | NaFlag.Router, 'override, router (forwarding)');
  assert.equal(formatMac(na, 54 + Ndp.Options + 2), formatMac(na, 6), 'target link-layer address');
  assert.equal(d2.station.sent.filter((s) => isNa(s.frame)).length, 0);
});

test("the IPv6 master's cable pulled: the backup takes over within 3 × advert_int + skew", () => {
  const { clock, d1, d2 } = pair();
  d1.rt.start();
  d2.rt.start();
  until(clock, () => state(d1.rt) === 'MASTER', 10_000);
  clock.advance(3000);
  d1.station.cable('eth1', false);
  assert.equal(state(d1.rt), 'FAULT');
  assert.equal(d1.station.owned.size, 0);
  const t = until(clock, () => state(d2.rt) === 'MASTER', 10_000);
  assert.ok(t <= 3000 + ((256 - 100) * 1000) / 256 + 1000, `${t} ms`);
  assert.ok(d2.station.owned.has(VIP));
  const na2 = d2.station.sent.find((s) => isNa(s.frame))!.frame;
  assert.equal(naFlags(na2, 54), NaFlag.Override, 'no router flag: director2 does not forward');
  d1.station.cable('eth1', true);
  until(clock, () => state(d1.rt) === 'MASTER', 10_000);
  until(clock, () => state(d2.rt) === 'BACKUP', 1_000);
  assert.equal(d2.station.owned.size, 0, 'preempted: the IPv6 VIPs are disowned again');
});
