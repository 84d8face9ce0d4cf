// The connection table's side of the IPVS sync protocol, through two engines: the master's
// forwarding queues connections as ip_vs_sync_conn_needed says (a state change to FIN_WAIT…,
// the 3rd packet and every 50th, the template along), EngineSyncSource reads them, and the
// backup's EngineSyncSink makes them entries of its own table — bound to its own ids, counted
// active or inactive — that its engine then forwards both ways: the way back to the client is
// learnt from the client's first frame, or found before it (client-ways.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientWays } from '../../src/daemon/client-ways.js';
import { EngineSyncSink, EngineSyncSource } from '../../src/daemon/conn-sync.js';
import { Verdict } from '../../src/engine/verdict.js';
import { parseIpv4, parseMac } from '../../src/packet/addr.js';
import { IpvsConnFlag, type SyncConn } from '../../src/sync/sync-conn.js';
import { CLIENT_IF, DIR_SERVER_MAC, SERVER_IF } from './fixtures/fake-env.js';
import { buildFrame, fieldsOf } from './fixtures/frames.js';
import { CLIENT_MAC, natDirector, S1, S1_MAC, VIP, fromClient } from './fixtures/nat-director.js';
import { until } from '../helpers/poll.js';

const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;
const FIN_ACK = 0x11;

const fromServer = (dport: number, flags: number) =>
  buildFrame({
    srcMac: S1_MAC,
    dstMac: DIR_SERVER_MAC,
    src: S1,
    dst: '192.168.10.1',
    proto: 'tcp',
    sport: 80,
    dport,
    flags,
  });

type Nat = ReturnType<typeof natDirector>;

function send(d: Nat, frame: Buffer, ifIndex = CLIENT_IF): Verdict {
  d.clock.advance(10);
  return d.rig.process(frame, frame.length, ifIndex, d.clock.now);
}

test('a master queues nothing while no master daemon runs', () => {
  const m = natDirector('rr');
  const source = new EngineSyncSource(m.rig.shared);
  for (const flags of [SYN, ACK, PSH_ACK, PSH_ACK]) send(m, fromClient(40000, flags));
  assert.deepEqual(source.drain(100), []);
});

test('the master sends at the 3rd packet, at each state change to FIN_WAIT or beyond, then every 50th', () => {
  const m = natDirector('rr');
  const source = new EngineSyncSource(m.rig.shared);
  source.setActive(true);
  send(m, fromClient(40000, SYN)); // 1: SYN_RECV
  send(m, fromClient(40000, ACK)); // 2: ESTABLISHED (not yet: the 3rd packet)
  assert.deepEqual(source.drain(100), []);
  send(m, fromClient(40000, PSH_ACK)); // 3
  const [est] = source.drain(100);
  assert.ok(est);
  assert.deepEqual(
    [
      est.protocol,
      est.state,
      est.flags,
      est.cport,
      est.vaddr,
      est.vport,
      est.daddr,
      est.dport,
      est.timeout,
    ],
    [6, 1, IpvsConnFlag.Masq, 40000, parseIpv4(VIP), 80, parseIpv4(S1), 80, 900],
  );
  for (let k = 4; k <= 52; k++) send(m, fromClient(40000, PSH_ACK));
  assert.equal(source.drain(100).length, 0, 'packets 4 to 52: nothing');
  send(m, fromClient(40000, PSH_ACK)); // 53 = 3 + 50
  assert.equal(source.drain(100).length, 1);
  send(m, fromClient(40000, FIN_ACK)); // the client's FIN: CLOSE_WAIT (IPVS's input table)
  const fin = source.drain(100)[0]!;
  assert.equal(fin.state, 7);
  assert.equal(fin.flags, IpvsConnFlag.Masq | IpvsConnFlag.Inactive);
  source.setActive(false);
  send(m, fromClient(40000, ACK));
  assert.equal(source.drain(100).length, 0);
});

test('a persistent connection is sent with its template', () => {
  const m = natDirector('rr');
  m.director.editService({
    key: m.key,
    scheduler: 'rr',
    persistence: { timeout: 300, netmask: '255.255.255.255' },
  });
  const source = new EngineSyncSource(m.rig.shared);
  source.setActive(true);
  for (const flags of [SYN, ACK, PSH_ACK]) send(m, fromClient(40000, flags));
  const sent = source.drain(100);
  assert.deepEqual(
    sent.map((c) => [c.flags & IpvsConnFlag.Template, c.cport, c.timeout]),
    [
      [0, 40000, 900],
      [IpvsConnFlag.Template, 0, 300],
    ],
  );
});

/** A master's connection, established, as its sync message carries it. */
function masterConn(): SyncConn {
  const m = natDirector('rr');
  const source = new EngineSyncSource(m.rig.shared);
  source.setActive(true);
  for (const flags of [SYN, ACK, PSH_ACK]) send(m, fromClient(40000, flags));
  return source.drain(1)[0]!;
}

test("the backup's table takes the connection: -Lnc shows it, its real server counts it active", () => {
  const b = natDirector('rr');
  const sink = new EngineSyncSink(b.rig.shared, b.director.table, () => b.clock.now);
  sink.apply(masterConn());
  assert.deepEqual(
    b.director
      .syncedConnections()
      .map((c) => [c.state, `${c.clientAddr}:${c.clientPort}`, c.destAddr, c.expiresMs]),
    [['ESTABLISHED', '192.168.10.1:40000', S1, 900_000]],
  );
  const s1 = b.director.services()[0]!.dests.find((d) => d.addr === S1)!;
  assert.deepEqual([s1.activeConns, s1.inactiveConns], [1, 0]);
  // A second message about it updates it: FIN_WAIT, inactive.
  sink.apply({ ...masterConn(), state: 4, flags: IpvsConnFlag.Inactive, timeout: 120 });
  assert.equal(b.director.syncedConnections()[0]!.state, 'FIN_WAIT');
  const again = b.director.services()[0]!.dests.find((d) => d.addr === S1)!;
  assert.deepEqual([again.activeConns, again.inactiveConns], [0, 1]);
  assert.deepEqual(sink.counts, { created: 1, updated: 1, unbound: 0, full: 0 });
  sink.apply({ ...masterConn(), vport: 8443 });
  assert.equal(sink.counts.unbound, 1, 'a service this director does not have');
});

test('after a takeover the backup forwards the synced connection both ways (the client first)', () => {
  const b = natDirector('rr');
  const sink = new EngineSyncSink(b.rig.shared, b.director.table, () => b.clock.now);
  sink.apply(masterConn());
  // Not a SYN: only a known connection is forwarded.
  const data = fromClient(40000, PSH_ACK);
  assert.equal(send(b, data), Verdict.Forward);
  assert.equal(fieldsOf(data).dst, S1);
  const reply = fromServer(40000, PSH_ACK);
  assert.equal(send(b, reply, SERVER_IF), Verdict.Forward);
  assert.deepEqual([fieldsOf(reply).src, fieldsOf(reply).dstMac], [VIP, CLIENT_MAC]);
});

test("the server's reply first: dropped until the client's way is found, then forwarded", async () => {
  const b = natDirector('rr');
  let answer: (r: { ifIndex: number }) => void = () => {};
  const asked: number[] = [];
  const ways = new ClientWays(
    b.rig.shared.conns,
    {
      routeTo: (ip) => {
        asked.push(ip);
        return new Promise((resolve) => (answer = resolve));
      },
      neighbourMac: () => parseMac(CLIENT_MAC),
    },
    () => b.clock.now,
  );
  const sink = new EngineSyncSink(b.rig.shared, b.director.table, () => b.clock.now, ways);
  sink.apply(masterConn());
  assert.deepEqual(asked, [parseIpv4('192.168.10.1')], 'the route to the client is asked');
  const reply = fromServer(40000, PSH_ACK);
  assert.equal(send(b, Buffer.from(reply), SERVER_IF), Verdict.Drop, 'no way to the client yet');
  answer({ ifIndex: CLIENT_IF });
  await until(() => send(b, Buffer.from(reply), SERVER_IF) === Verdict.Forward, {
    what: 'the reply forwarded once the way is known',
    timeoutMs: 1000,
  });
  ways.close();
});

test('while the other director holds the VIP, the backup serves none of its traffic; once it holds it, all', () => {
  const b = natDirector('rr');
  const sink = new EngineSyncSink(b.rig.shared, b.director.table, () => b.clock.now);
  sink.apply(masterConn());
  b.env.disowned.add(parseIpv4(VIP));
  assert.equal(send(b, fromClient(40000, PSH_ACK)), Verdict.NotOurs, 'a synced connection');
  assert.equal(send(b, fromClient(40100, SYN)), Verdict.NotOurs, 'a new one');
  b.env.disowned.clear(); // VRRP: this director is master now
  assert.equal(send(b, fromClient(40000, PSH_ACK)), Verdict.Forward);
  assert.equal(send(b, fromClient(40100, SYN)), Verdict.Forward);
});
