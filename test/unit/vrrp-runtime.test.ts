// Two directors' VRRP runtimes on a simulated LAN, with the fake clock: the course's pair
// (VIP on the client side, the servers' gateway on the other, one sync group). Election,
// takeover when the master's cables are pulled (within 3 × advert_int + skew), preempt and
// nopreempt when they come back, priority 0 on shutdown (takeover after skew time), and the
// frames themselves. Real frames are built and decoded; nothing sleeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../src/clock/fake-clock.js';
import { parseIpv4 } from '../../src/packet/addr.js';
import { parseKeepalivedText } from '../../src/keepalived/config.js';
import { vrrpFromKeepalived } from '../../src/vrrp/from-keepalived.js';
import { vrrpFrameFacts } from '../../src/vrrp/vrrp-frame.js';
import { decodeAdvert } from '../../src/vrrp/vrrp-packet.js';
import { VrrpRuntime } from '../../src/vrrp/vrrp-runtime.js';
import { FakeLan } from './fixtures/vrrp-wire.js';

function haConf(priority: number, extra = ''): string {
  return `
vrrp_sync_group G {
  group {
    VI_CLIENT
    VI_SERVERS
  }
  notify_master "/bin/group-master"
}
vrrp_instance VI_CLIENT {
  state BACKUP
  interface eth1
  virtual_router_id 10
  priority ${priority}
  advert_int 1
${extra}  virtual_ipaddress {
    192.168.10.23/24
  }
}
vrrp_instance VI_SERVERS {
  state BACKUP
  interface eth2
  virtual_router_id 20
  priority ${priority}
  advert_int 1
${extra}  notify_master "/bin/servers-master"
  virtual_ipaddress {
    192.168.20.254/24
  }
}
`;
}

/** The runtime's configuration from a keepalived.conf text, as uvsd reads it. */
function vrrpOf(text: string) {
  const { config, warnings } = vrrpFromKeepalived(parseKeepalivedText(text, 'ha.conf'));
  assert.deepEqual(warnings, []);
  return config;
}

const SKEW = (p: number): number => ((256 - p) * 1000) / 256;
const DOWN = (p: number): number => 3000 + SKEW(p);

function pair(extra = '') {
  const clock = new FakeClock();
  const lan = new FakeLan(clock, 1);
  const mk = (name: string, mac: string, n: number, prio: number) => {
    const station = lan.station(name, mac, {
      eth1: parseIpv4(`192.168.10.${n}`),
      eth2: parseIpv4(`192.168.20.${n}`),
    });
    const logs: string[] = [];
    const rt = new VrrpRuntime(vrrpOf(haConf(prio, extra)), {
      clock,
      link: station,
      host: station,
      ownership: station,
      exec: () => Promise.resolve(true),
      log: (m) => logs.push(`${clock.now()} ${m}`),
    });
    return { station, rt, logs };
  };
  const d1 = mk('director1', '02:d1:00:00:00:00', 253, 150);
  const d2 = mk('director2', '02:d2:00:00:00:00', 252, 100);
  return { clock, d1, d2 };
}

const states = (rt: VrrpRuntime): string =>
  rt
    .instances()
    .map((i) => `${i.name}=${i.state}`)
    .join(' ');

/** Advances the clock in 1 ms steps until `ok`, returning the time; fails after `maxMs`. */
function until(clock: FakeClock, ok: () => boolean, maxMs: number): number {
  const start = clock.now();
  while (!ok()) {
    if (clock.now() - start > maxMs) assert.fail(`not within ${maxMs} ms`);
    clock.advance(1);
  }
  return clock.now();
}

const VIPS = ['192.168.10.23/24 dev eth1', '192.168.20.254/24 dev eth2'];
const isMaster = (d: { rt: VrrpRuntime }): boolean =>
  d.rt.instances().every((i) => i.state === 'MASTER');

test('the higher priority becomes master of both instances after its master down interval; the other stays backup', () => {
  const { clock, d1, d2 } = pair();
  d1.rt.start();
  d2.rt.start();
  assert.equal(states(d1.rt), 'VI_CLIENT=BACKUP VI_SERVERS=BACKUP');
  const t = until(clock, () => isMaster(d1), 10_000);
  assert.equal(t, Math.ceil(DOWN(150)), '3 × advert_int + (256 − 150)/256 s');
  clock.advance(5000);
  assert.equal(states(d1.rt), 'VI_CLIENT=MASTER VI_SERVERS=MASTER');
  assert.equal(states(d2.rt), 'VI_CLIENT=BACKUP VI_SERVERS=BACKUP');
  assert.deepEqual([...d1.station.held].sort(), VIPS);
  assert.deepEqual([...d2.station.held], []);
  assert.ok(d1.station.owned.has(parseIpv4('192.168.10.23')));
  assert.equal(d2.station.owned.size, 0, 'the backup owns no VIP: no ARP, no forwarding');
  assert.ok(d1.station.scripts.includes('/bin/group-master'));
  assert.ok(d1.station.scripts.includes('/bin/servers-master'));
  // 5 gratuitous ARPs per VIP at once, 5 more garp_master_delay (5 s) later.
  const garps = d1.station.sent.filter((s) => s.frame.readUInt16BE(12) === 0x0806);
  assert.equal(garps.length, 20);
});

test("the master's adverts: from 00:00:5e:00:01:VRID to 224.0.0.18, TTL 255, every advert_int", () => {
  const { clock, d1, d2 } = pair();
  d1.rt.start();
  d2.rt.start();
  clock.advance(10_000);
  const adverts = d1.station.sent.filter(
    (s) => s.ifName === 'eth1' && s.frame.readUInt16BE(12) === 0x0800,
  );
  assert.ok(adverts.length >= 6 && adverts.length <= 8, `${adverts.length} adverts in 6.6 s`);
  const f = adverts[0]!.frame;
  assert.equal(f.subarray(0, 12).toString('hex'), '01005e000012' + '00005e00010a');
  const facts = vrrpFrameFacts(f, f.length)!;
  assert.equal(facts.ttl, 255);
  const a = decodeAdvert(f, facts.off, facts.len, Number(facts.src), Number(facts.dst));
  assert.deepEqual(a, {
    version: 2,
    vrid: 10,
    priority: 150,
    intervalCs: 100,
    addrs: [parseIpv4('192.168.10.23')],
    authType: 0,
  });
  assert.equal(d2.station.sent.length, 0, 'a backup is silent');
});

test("master's cables pulled: the backup is master within 3 × advert_int + skew; cables back: preempt", () => {
  const { clock, d1, d2 } = pair();
  d1.rt.start();
  d2.rt.start();
  clock.advance(10_000);
  const pulled = clock.now();
  d1.station.cable('eth1', false);
  d1.station.cable('eth2', false);
  assert.equal(states(d1.rt), 'VI_CLIENT=FAULT VI_SERVERS=FAULT');
  assert.deepEqual([...d1.station.held], [], 'the faulty master gave its VIPs back');
  const t = until(clock, () => isMaster(d2), 10_000);
  assert.ok(t - pulled <= DOWN(100) + 1, `takeover after ${t - pulled} ms`);
  assert.deepEqual([...d2.station.held].sort(), VIPS);
  // Cables back: d1 comes back as backup, then preempts the lower priority.
  const plugged = clock.now();
  d1.station.cable('eth1', true);
  d1.station.cable('eth2', true);
  assert.equal(states(d1.rt), 'VI_CLIENT=BACKUP VI_SERVERS=BACKUP');
  const back = until(clock, () => isMaster(d1), 10_000);
  assert.ok(back - plugged <= DOWN(150) + 2, `preempted after ${back - plugged} ms`);
  until(clock, () => d2.rt.instances().every((i) => i.state === 'BACKUP'), 100);
  assert.deepEqual([...d2.station.held], []);
});

test('one cable pulled: the sync group takes both instances over together', () => {
  const { clock, d1, d2 } = pair();
  d1.rt.start();
  d2.rt.start();
  clock.advance(10_000);
  const pulled = clock.now();
  d1.station.cable('eth2', false);
  assert.equal(states(d1.rt), 'VI_CLIENT=FAULT VI_SERVERS=FAULT');
  // VI_CLIENT (cable still in) sent priority 0: d2's VI_CLIENT takes over after skew time.
  const t = until(clock, () => isMaster(d2), 10_000);
  assert.ok(t - pulled <= SKEW(100) + 2, `takeover after ${t - pulled} ms`);
});

test('nopreempt: cables back, the higher priority stays backup', () => {
  const { clock, d1, d2 } = pair('  nopreempt\n');
  d1.rt.start();
  d2.rt.start();
  clock.advance(10_000);
  assert.ok(isMaster(d1));
  d1.station.cable('eth1', false);
  d1.station.cable('eth2', false);
  until(clock, () => isMaster(d2), 10_000);
  d1.station.cable('eth1', true);
  d1.station.cable('eth2', true);
  clock.advance(20_000);
  assert.equal(states(d1.rt), 'VI_CLIENT=BACKUP VI_SERVERS=BACKUP');
  assert.ok(isMaster(d2));
});

test('shutdown: the master sends priority 0 and the backup takes over after skew time', () => {
  const { clock, d1, d2 } = pair();
  d1.rt.start();
  d2.rt.start();
  clock.advance(10_000);
  const stopped = clock.now();
  d1.rt.shutdown();
  assert.equal(states(d1.rt), 'VI_CLIENT=STOP VI_SERVERS=STOP');
  assert.deepEqual([...d1.station.held], []);
  const last = d1.station.sent.filter((s) => s.frame.readUInt16BE(12) === 0x0800).slice(-2);
  for (const s of last) assert.equal(s.frame[14 + 20 + 2], 0, 'priority 0');
  const t = until(clock, () => isMaster(d2), 5000);
  assert.ok(t - stopped <= SKEW(100) + 2, `takeover ${t - stopped} ms after the stop`);
  const sent = d1.station.sent.length;
  clock.advance(60_000);
  assert.equal(d1.station.sent.length, sent, 'a stopped runtime sends nothing');
});

test('adverts a runtime cannot use are counted by reason and change nothing', () => {
  const { clock, d1 } = pair();
  d1.rt.start();
  const wire = d1.station;
  const bad = Buffer.from(
    '01005e000012 00005e000114 0800 45c0 0028 0001 0000 ff70 0000 c0a80afe e0000012 2114 c801 0101 0000 c0a80a17 0000000000000000'.replace(
      / /g,
      '',
    ),
    'hex',
  );
  wire.deliver('eth1', bad); // vrid 20 on eth1: nobody's
  const corrupt = Buffer.from(bad);
  corrupt[14 + 20 + 1] = 10;
  wire.deliver('eth1', corrupt); // vrid 10, checksum wrong
  clock.advance(100);
  assert.equal(d1.rt.rxErrors['no-instance'], 1);
  assert.equal(d1.rt.rxErrors.checksum, 1);
  assert.equal(states(d1.rt), 'VI_CLIENT=BACKUP VI_SERVERS=BACKUP');
});

test('unicast peers: adverts go to each peer (its MAC, its address) and a backup takes only those sent to it', () => {
  const clock = new FakeClock();
  const lan = new FakeLan(clock, 1);
  const conf = (prio: number, src: string, peer: string): string => `
vrrp_instance VI_U {
  interface eth1
  virtual_router_id 7
  priority ${prio}
  unicast_src_ip ${src}
  unicast_peer {
    ${peer}
  }
  virtual_ipaddress {
    192.168.10.23/24
  }
}
`;
  const mk = (name: string, n: number, prio: number, peer: number) => {
    const station = lan.station(name, `02:0${n}:00:00:00:00`, {
      eth1: parseIpv4(`192.168.10.${n}`),
    });
    const rt = new VrrpRuntime(vrrpOf(conf(prio, `192.168.10.${n}`, `192.168.10.${peer}`)), {
      clock,
      link: station,
      host: station,
      ownership: station,
      exec: () => Promise.resolve(true),
      log: () => {},
    });
    return { station, rt };
  };
  const a = mk('a', 3, 150, 4);
  const b = mk('b', 4, 100, 3);
  a.rt.start();
  b.rt.start();
  clock.advance(8000);
  assert.equal(states(a.rt), 'VI_U=MASTER');
  assert.equal(states(b.rt), 'VI_U=BACKUP', 'the unicast adverts reached the backup');
  const f = a.station.sent.find((s) => s.frame.readUInt16BE(12) === 0x0800)!.frame;
  assert.equal(f.subarray(0, 6).toString('hex'), '02bbbbbbbbbb', "the peer's MAC");
  assert.equal(vrrpFrameFacts(f, f.length)!.dst, parseIpv4('192.168.10.4'));
  assert.equal(b.rt.rxErrors['wrong-destination'], 0);
});
