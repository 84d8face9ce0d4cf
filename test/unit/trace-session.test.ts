// The trace path inside uvsd, without a network: the engine writes into its trace ring only
// while a session is open, the session puts each frame's records together (in, out, verdict),
// keeps the asked-for service's frames, and DirectorTrace names what happened in ipvsadm's
// words; a full ring drops records and counts them (a slow reader never blocks the engine).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DirectorTrace } from '../../src/daemon/director-trace.js';
import { TraceSessions } from '../../src/daemon/trace-session.js';
import { EngineShared } from '../../src/engine/engine-shared.js';
import { TraceWriter } from '../../src/engine/trace/trace-writer.js';
import { FwdMethod } from '../../src/engine/model.js';
import { TraceRing } from '../../src/engine/trace/trace-ring.js';
import { Verdict } from '../../src/engine/verdict.js';
import { traceText } from '../../src/trace/trace-output.js';
import { EngineRig } from './fixtures/engine-rig.js';
import { CLIENT_IF, FakeEnv, SERVER_IF } from './fixtures/fake-env.js';
import { buildFrame, type FrameSpec } from './fixtures/frames.js';
import { CLIENT_MAC, S1, S1_MAC, VIP } from './fixtures/nat-director.js';

const KEY = { kind: 'addr' as const, proto: 'tcp' as const, vip: VIP, port: 80 };

function natRig(): EngineRig {
  const rig = new EngineRig(new FakeEnv().addNeighbour(S1, S1_MAC));
  rig.director.addService({ key: KEY, scheduler: 'rr' });
  rig.director.addDest(KEY, {
    addr: S1,
    port: 8080,
    method: FwdMethod.Masq,
    weight: 1,
    upperThreshold: 0,
    lowerThreshold: 0,
  });
  rig.routeDestsVia(SERVER_IF);
  return rig;
}

const syn = (sport: number, dport = 80): FrameSpec => ({
  srcMac: CLIENT_MAC,
  src: '192.168.10.1',
  dst: VIP,
  proto: 'tcp',
  sport,
  dport,
  flags: 0x02,
});

function traced(rig: EngineRig): DirectorTrace {
  const names: Record<number, string> = { [CLIENT_IF]: 'eth1', [SERVER_IF]: 'eth2' };
  let t = 1_795_750_641_000;
  return new DirectorTrace(
    rig.director.table,
    () => 1,
    (rings) => rig.engine.setTrace(rings?.[0]),
    (i) => names[i] ?? `if${i}`,
    () => t++,
  );
}

test('no session: the engine writes nothing; a session: in, out and verdict of each frame', () => {
  const rig = natRig();
  const trace = traced(rig);
  const f = buildFrame(syn(40000));
  assert.equal(rig.process(f, f.length, CLIENT_IF, 1000), Verdict.Forward);
  const id = trace.start(KEY);
  const g = buildFrame(syn(40001));
  assert.equal(rig.process(g, g.length, CLIENT_IF, 1001), Verdict.Forward);
  const { records, dropped } = trace.read(id);
  assert.equal(dropped, 0);
  assert.equal(records.length, 1, 'only the frame sent while tracing');
  const r = records[0]!;
  assert.equal(r.verdict, 'forward');
  assert.equal(r.method, 'Masq');
  assert.equal(r.way, 'to-server');
  assert.equal(r.realServer, `${S1}:8080`);
  assert.equal(r.state, 'SYN_RECV');
  assert.equal(r.inIf, 'eth1');
  assert.equal(r.outs.length, 1);
  assert.equal(r.outs[0]!.ifName, 'eth2');
  const text = traceText(r);
  assert.match(text, /^#1 \S+ in {2}eth1 \| .* \| 192\.168\.10\.1 > 192\.168\.10\.23 ttl 64 /m);
  assert.match(
    text,
    /^#1 \S+ out eth2 \| .*192\.168\.10\.1 > 192\.168\.20\.1\* ttl 63\*.*tcp 40001 > 8080\* \[S\].* \| Masq rs 192\.168\.20\.1:8080 SYN_RECV$/m,
  );
  trace.stop(id);
  const h = buildFrame(syn(40002));
  rig.process(h, h.length, CLIENT_IF, 1002);
  assert.throws(() => trace.read(id), /no trace session/);
});

test('a session on one service skips the others; a dropped frame says why', () => {
  const rig = natRig();
  const other = { ...KEY, port: 443 };
  rig.director.addService({ key: other, scheduler: 'rr' }); // no real server: dropped or ICMP
  const trace = traced(rig);
  const id443 = trace.start(other);
  const id80 = trace.start(KEY);
  const a = buildFrame(syn(40000, 80));
  rig.process(a, a.length, CLIENT_IF, 1000);
  const b = buildFrame(syn(40001, 443));
  rig.process(b, b.length, CLIENT_IF, 1001);
  const r80 = trace.read(id80).records;
  const r443 = trace.read(id443).records;
  assert.deepEqual(
    r80.map((r) => r.verdict),
    ['forward'],
  );
  assert.equal(r443.length, 1);
  assert.notEqual(r443[0]!.verdict, 'forward');
  assert.equal(r443[0]!.method, undefined, 'no connection was made');
  assert.throws(() => trace.start({ ...KEY, port: 8443 }), /No such service/);
  trace.stop(id80);
  trace.stop(id443);
});

test('a full ring drops records and counts them; the engine goes on forwarding', () => {
  const ring = new TraceRing(4);
  const rig = natRig();
  rig.engine.setTrace(ring);
  for (let k = 0; k < 10; k++) {
    const f = buildFrame(syn(41000 + k));
    assert.equal(rig.process(f, f.length, CLIENT_IF, 1000 + k), Verdict.Forward);
  }
  assert.equal(ring.pending(), 4);
  assert.equal(ring.dropped, 3 * 10 - 4);
  rig.engine.setTrace(undefined);
});

test('two threads: their frames are handed out in time order, not ring by ring', () => {
  let rings: readonly TraceRing[] = [];
  let now = 10_000;
  const sessions = new TraceSessions(
    () => 2,
    (r) => (rings = r),
    () => (rings = []),
    () => now,
  );
  const id = sessions.open(() => true);
  const later = new TraceWriter(rings[0]!, 0);
  const earlier = new TraceWriter(rings[1]!, 1);
  const frame = Buffer.alloc(60);
  const conns = EngineShared.create(64, 0).conns;
  for (const [w, t] of [
    [later, 9_900.5],
    [earlier, 9_900.25],
  ] as const) {
    w.begin(frame, 0, frame.length, 1, t);
    w.end(Verdict.Forward, -1, conns, -1, 0, t);
  }
  assert.deepEqual(
    sessions.poll(id, 10)!.frames.map((f) => f.time),
    [9_900.25, 9_900.5],
  );
  // A frame newer than the merge's hold waits for the next read.
  earlier.begin(frame, 0, frame.length, 1, now - 1);
  earlier.end(Verdict.Forward, -1, conns, -1, 0, now - 1);
  assert.equal(sessions.poll(id, 10)!.frames.length, 0);
  now += 100;
  assert.equal(sessions.poll(id, 10)!.frames.length, 1);
  sessions.closeAll();
});
