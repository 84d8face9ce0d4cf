// The IPv6 connection table's side of the IPVS sync protocol, through two IPv6 engines, as
// conn-sync.test.ts does for IPv4: the master's forwarding queues IPv6 connections by the same
// rules (the 3rd packet, state changes, every 50th, the template along), EngineSyncSource reads
// them with their 16-byte addresses, the wire codec carries them, and the backup's
// EngineSyncSink makes them entries of its IPv6 table, bound to its own ids, that its engine
// forwards to the same real server after a takeover (NAT both ways, DR, TUN, persistence).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientWays } from '../../src/daemon/client-ways.js';
import { EngineSyncSink, EngineSyncSource } from '../../src/daemon/conn-sync.js';
import { FwdMethod } from '../../src/engine/model.js';
import { Verdict } from '../../src/engine/verdict.js';
import { formatIpv6, parseIpv6, parseIpv6Words, parseMac } from '../../src/packet/addr.js';
import { IpvsConnFlag, type SyncConn, type SyncConn6 } from '../../src/sync/sync-conn.js';
import { decodeMessage, encodeMessages } from '../../src/sync/sync-message.js';
import { CLIENT_IF, DIR_CLIENT_MAC, DIR_SERVER_MAC, SERVER_IF } from './fixtures/fake-env.js';
import { buildFrame6 } from './fixtures/frames6.js';
import {
  CLIENT6,
  CLIENT_MAC,
  fields6,
  fromClient6,
  nat6Director,
  S1_6,
  S1_MAC,
  S2_6,
  S2_MAC,
  VIP6,
} from './fixtures/nat6-director.js';
import { until } from '../helpers/poll.js';

const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;
const FIN_ACK = 0x11;

type Nat6 = ReturnType<typeof nat6Director>;

function send(d: Nat6, frame: Buffer, ifIndex = CLIENT_IF): Verdict {
  d.clock.advance(10);
  return d.rig.process(frame, frame.length, ifIndex, d.clock.now);
}

const fromS1 = (dport: number, flags: number): Buffer =>
  buildFrame6({
    srcMac: S1_MAC,
    dstMac: DIR_SERVER_MAC,
    src: S1_6,
    dst: CLIENT6,
    proto: 'tcp',
    sport: 80,
    dport,
    flags,
  });

/** Drains the master and checks that every entry is an IPv6 one. */
function drain6(source: EngineSyncSource, max = 100): SyncConn6[] {
  return source.drain(max).map((c) => {
    assert.equal(c.family, 6, 'an IPv6 entry');
    return c;
  });
}

test('IPv6: the master queues at the 3rd packet, at a state change to CLOSE_WAIT, then every 50th', () => {
  const m = nat6Director('rr', { rport: 8080 });
  const source = new EngineSyncSource(m.rig.shared);
  for (const flags of [SYN, ACK, PSH_ACK]) send(m, fromClient6({ sport: 39000, flags }));
  assert.deepEqual(source.drain(100), [], 'nothing while no master daemon runs');
  source.setActive(true);
  send(m, fromClient6({ sport: 40000, flags: SYN })); // 1: SYN_RECV
  send(m, fromClient6({ sport: 40000, flags: ACK })); // 2: ESTABLISHED
  assert.deepEqual(source.drain(100), []);
  send(m, fromClient6({ sport: 40000, flags: PSH_ACK })); // 3
  const [est] = drain6(source);
  assert.ok(est);
  assert.deepEqual(
    [
      est.protocol,
      est.state,
      est.flags,
      formatIpv6(est.caddr),
      est.cport,
      formatIpv6(est.vaddr),
      est.vport,
      est.dport,
      est.timeout,
    ],
    [6, 1, IpvsConnFlag.Masq, CLIENT6, 40000, VIP6, 80, 8080, 900],
  );
  assert.ok([S1_6, S2_6].includes(formatIpv6(est.daddr)));
  for (let k = 4; k <= 52; k++) send(m, fromClient6({ sport: 40000, flags: PSH_ACK }));
  assert.equal(source.drain(100).length, 0, 'packets 4 to 52: nothing');
  send(m, fromClient6({ sport: 40000, flags: PSH_ACK })); // 53 = 3 + 50
  assert.equal(source.drain(100).length, 1);
  send(m, fromClient6({ sport: 40000, flags: FIN_ACK }));
  const [fin] = drain6(source);
  assert.deepEqual([fin!.state, fin!.flags], [7, IpvsConnFlag.Masq | IpvsConnFlag.Inactive]);
});

for (const [name, method, flag] of [
  ['DR', FwdMethod.Route, IpvsConnFlag.DRoute],
  ['TUN', FwdMethod.Tunnel, IpvsConnFlag.Tunnel],
] as const) {
  test(`IPv6 ${name}: the master's connection is queued with its method, the port unchanged`, () => {
    const m = nat6Director('rr', { method });
    const source = new EngineSyncSource(m.rig.shared);
    source.setActive(true);
    for (const flags of [SYN, ACK, PSH_ACK]) send(m, fromClient6({ sport: 40000, flags }));
    const [c] = drain6(source);
    assert.deepEqual([c!.flags, formatIpv6(c!.daddr), c!.dport, c!.state], [flag, S1_6, 80, 1]);
  });
}

test('IPv6 -M 64: a persistent connection is queued with its template (the client prefix, no port)', () => {
  const m = nat6Director('rr', { persistence: { timeout: 300, netmask: '64' } });
  const source = new EngineSyncSource(m.rig.shared);
  source.setActive(true);
  for (const flags of [SYN, ACK, PSH_ACK]) send(m, fromClient6({ sport: 40000, flags }));
  assert.deepEqual(
    drain6(source).map((c) => [
      c.flags & IpvsConnFlag.Template,
      formatIpv6(c.caddr),
      c.cport,
      c.timeout,
    ]),
    [
      [0, CLIENT6, 40000, 900],
      [IpvsConnFlag.Template, '2001:db8:10::', 0, 300],
    ],
  );
});

test("one thread's queue carries both tables' slots in order (the IPv6 ones as their complement)", () => {
  const q = nat6Director().rig.shared.syncQueues;
  q.setActive(true);
  for (const [slot, v6] of [
    [5, false],
    [5, true],
    [0, true],
    [0, false],
    [77, true],
  ] as const)
    q.push(0, slot, v6);
  const got: [number, boolean][] = [];
  assert.equal(
    q.drain(100, (slot, v6) => got.push([slot, v6])),
    5,
  );
  assert.deepEqual(got, [
    [5, false],
    [5, true],
    [0, true],
    [0, false],
    [77, true],
  ]);
});

/** A master's IPv6 connections once established, carried through the wire codec. */
function masterConns(
  opts: Parameters<typeof nat6Director>[1] = {},
  clients: readonly { src: string; sport: number }[] = [{ src: CLIENT6, sport: 40000 }],
): SyncConn[] {
  const m = nat6Director('rr', opts);
  const source = new EngineSyncSource(m.rig.shared);
  source.setActive(true);
  for (const c of clients)
    for (const flags of [SYN, ACK, PSH_ACK]) send(m, fromClient6({ ...c, flags }));
  const out: SyncConn[] = [];
  for (const msg of encodeMessages(source.drain(100), 1, 1472))
    out.push(...decodeMessage(msg, msg.length, 1).conns);
  return out;
}

test("the backup's IPv6 table takes the connection: -Lnc shows its IPv6 addresses, S1 counts it", () => {
  const b = nat6Director('rr', { rport: 8080 });
  const sink = new EngineSyncSink(b.rig.shared, b.director.table, () => b.clock.now);
  const [conn] = masterConns({ rport: 8080 });
  sink.apply(conn!);
  assert.deepEqual(
    b.director
      .syncedConnections()
      .map((c) => [
        c.proto,
        c.state,
        c.clientAddr,
        c.clientPort,
        c.virtualAddr,
        c.destAddr,
        c.destPort,
      ]),
    [['TCP', 'ESTABLISHED', CLIENT6, 40000, VIP6, S1_6, 8080]],
  );
  const s1 = (): { activeConns: number; inactiveConns: number } =>
    b.director.services()[0]!.dests.find((d) => d.addr === S1_6)!;
  assert.deepEqual([s1().activeConns, s1().inactiveConns], [1, 0]);
  assert.equal(b.rig.shared.conns.count, 0, 'nothing in the IPv4 table');
  // A second message about it updates it: FIN_WAIT, inactive.
  sink.apply({
    ...conn!,
    state: 4,
    flags: IpvsConnFlag.Masq | IpvsConnFlag.Inactive,
    timeout: 120,
  });
  assert.equal(b.director.syncedConnections()[0]!.state, 'FIN_WAIT');
  assert.deepEqual([s1().activeConns, s1().inactiveConns], [0, 1]);
  sink.apply({ ...conn!, vport: 8443 });
  assert.deepEqual(sink.counts, { created: 1, updated: 1, unbound: 1, full: 0 });
});

test('after a takeover the backup forwards a synced IPv6 NAT connection both ways (the client first)', () => {
  const b = nat6Director('rr', { rport: 8080 });
  const sink = new EngineSyncSink(b.rig.shared, b.director.table, () => b.clock.now);
  // The master sent this client to S2: the backup's rr would have picked S1.
  const conns = masterConns({ rport: 8080 }, [
    { src: '2001:db8:10::9', sport: 39000 },
    { src: CLIENT6, sport: 40000 },
  ]);
  for (const c of conns) sink.apply(c);
  // Not a SYN: only a known connection is forwarded.
  const data = fromClient6({ sport: 40000, flags: PSH_ACK });
  assert.equal(send(b, data), Verdict.Forward);
  assert.deepEqual(
    [fields6(data).dst, fields6(data).dport, fields6(data).dstMac],
    [S2_6, 8080, S2_MAC],
  );
  const reply = buildFrame6({
    srcMac: S2_MAC,
    dstMac: DIR_SERVER_MAC,
    src: S2_6,
    dst: CLIENT6,
    proto: 'tcp',
    sport: 8080,
    dport: 40000,
    flags: PSH_ACK,
  });
  assert.equal(send(b, reply, SERVER_IF), Verdict.Forward);
  assert.deepEqual(
    [fields6(reply).src, fields6(reply).sport, fields6(reply).dstMac, fields6(reply).srcMac],
    [VIP6, 80, CLIENT_MAC, DIR_CLIENT_MAC],
  );
});

test('after a takeover the backup forwards synced IPv6 DR and TUN connections to the same server', () => {
  for (const method of [FwdMethod.Route, FwdMethod.Tunnel]) {
    const b = nat6Director('rr', { method });
    if (method === FwdMethod.Tunnel) {
      for (const x of b.director.table.activeDests())
        x.tunnelSrc6.set(parseIpv6Words('2001:db8:20::254'));
      b.director.republish();
    }
    const sink = new EngineSyncSink(b.rig.shared, b.director.table, () => b.clock.now);
    const conns = masterConns({ method }, [
      { src: '2001:db8:10::9', sport: 39000 },
      { src: CLIENT6, sport: 40000 },
    ]);
    for (const c of conns) sink.apply(c);
    const data = fromClient6({ sport: 40000, flags: PSH_ACK });
    assert.equal(send(b, data), Verdict.Forward, `method ${method}`);
    const out = b.rig.last.frame;
    assert.equal(fields6(out).dstMac, S2_MAC, `method ${method}: S2, as the master chose`);
    // DR: the frame keeps [VIP]:80; TUN: an outer IPv6 header to S2 (next header 41).
    if (method === FwdMethod.Route) assert.equal(fields6(out).dst, VIP6);
    else assert.deepEqual([fields6(out).dst, out[14 + 6]], [S2_6, 41]);
  }
});

test('IPv6 -M 64: the synced template sends a new client of the same /64 to its real server', () => {
  const opts = { persistence: { timeout: 300, netmask: '64' } };
  const b = nat6Director('rr', opts);
  const sink = new EngineSyncSink(b.rig.shared, b.director.table, () => b.clock.now);
  // The master's second /64 went to S2 (rr), with its template.
  const conns = masterConns(opts, [
    { src: '2001:db8:11::1', sport: 39000 },
    { src: CLIENT6, sport: 40000 },
  ]);
  for (const c of conns) sink.apply(c);
  const templates = b.director.syncedConnections().filter((c) => c.isTemplate);
  assert.deepEqual(templates.map((t) => [t.proto, t.clientAddr, t.destAddr]).sort(), [
    ['TCP', '2001:db8:10::', S2_6],
    ['TCP', '2001:db8:11::', S1_6],
  ]);
  const syn = fromClient6({ src: '2001:db8:10::abcd', sport: 41000, flags: SYN });
  assert.equal(send(b, syn), Verdict.Forward);
  assert.equal(fields6(syn).dst, S2_6, 'the template, not rr, chose');
});

test("the server's IPv6 reply first: dropped until the client's way is found, then forwarded", async () => {
  const b = nat6Director('rr');
  let answer: (r: { ifIndex: number }) => void = () => {};
  const asked: string[] = [];
  const ways = new ClientWays(
    b.rig.shared.conns,
    {
      routeTo: () => Promise.reject(new Error('no IPv4 client here')),
      neighbourMac: () => undefined,
    },
    () => b.clock.now,
    {
      conns: b.rig.shared.conns6,
      routing: {
        routeTo6: (addr) => {
          asked.push(addr);
          return new Promise((resolve) => (answer = resolve));
        },
        neighbourMac6: (addr) => (addr === CLIENT6 ? parseMac(CLIENT_MAC) : undefined),
      },
    },
  );
  const sink = new EngineSyncSink(b.rig.shared, b.director.table, () => b.clock.now, ways);
  for (const c of masterConns()) sink.apply(c);
  assert.deepEqual(asked, [CLIENT6], 'the route to the client is asked');
  const reply = fromS1(40000, PSH_ACK);
  assert.equal(send(b, Buffer.from(reply), SERVER_IF), Verdict.Drop, 'no way to the client yet');
  answer({ ifIndex: CLIENT_IF });
  await until(() => send(b, Buffer.from(reply), SERVER_IF) === Verdict.Forward, {
    what: 'the reply forwarded once the way is known',
    timeoutMs: 1000,
  });
  assert.equal(fields6(b.rig.last.frame).dstMac, CLIENT_MAC);
  ways.close();
});

test('a synced IPv6 connection whose real server this director lacks is counted unbound', () => {
  const b = nat6Director('rr');
  const sink = new EngineSyncSink(b.rig.shared, b.director.table, () => b.clock.now);
  const [conn] = masterConns() as SyncConn6[];
  sink.apply({ ...conn!, daddr: parseIpv6('2001:db8:20::99') });
  assert.deepEqual(sink.counts, { created: 0, updated: 0, unbound: 1, full: 0 });
  assert.equal(b.director.syncedConnections().length, 0);
});
