// A forwarding worker (a worker_threads thread): its own packet sockets on every served interface
// (in a PACKET_FANOUT group with the other workers' when there are several), the engine over the
// shared connection table, and a loop that never returns to the event loop:
//   wait (busy-poll, then poll(2)) → messages → each port's ready frames through the engine →
//   one flush of what they became → the ring slots back to the kernel.
// It throws only on a bug; the main thread then restarts it (the connections live on in shared
// memory), so nothing here needs to survive an exception.
import { existsSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { Engine } from '../../engine/engine.js';
import { TraceRing } from '../../engine/trace/trace-ring.js';
import { EngineShared } from '../../engine/engine-shared.js';
import { PortGroup } from '../../io/afpacket/port-group.js';
import { RxBatch } from '../../io/afpacket/rx-batch.js';
import { newTxCounters } from '../../io/afpacket/tx-queue.js';
import { FrameStat } from '../../engine/shared/thread-stats.js';
import { WaitResult } from '../../io/afpacket/native.js';
import { EtherType, ethType } from '../../packet/ethernet.js';
import { Ipv4 } from '../../packet/ipv4.js';
import { engineNow } from '../engine-clock.js';
import { PortSink } from './port-sink.js';
import { portPlans } from './port-plans.js';
import type { FromWorker, PortSpec, ToWorker, WorkerInit } from './worker-messages.js';
import { NeighbourEnv } from '../neighbour-env.js';

/** IP protocol of VRRP: its adverts go to the main thread. */
const IPPROTO_VRRP = 112;
/** The loop looks at its messages at least this often, even with no frame and no wake. */
const WAIT_MS = 1000;
const BATCH = 256;

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('forwarding-worker.js runs as a worker thread');

const post = (m: FromWorker): void => port.postMessage(m);
const shared = EngineShared.attach(init.handles, init.thread);
const neighbours = new NeighbourEnv(shared.neighbours, engineNow);
let group = new PortGroup({ wakerFd: init.wakerFd });
let sink = new PortSink(group);
/** The engine's sink: whatever port group is current (ports are reopened on changes). */
const toPorts = { send: (b: Buffer, o: number, l: number, i: number) => sink.send(b, o, l, i) };
const engine = new Engine(shared, neighbours, toPorts, init.snapshot);
neighbours.attach(engine.arena, toPorts, () => engine.config);
if (init.trace) engine.setTrace(new TraceRing(init.trace));
engine.arena.onFull = () => group.tx.flush();
const batch = new RxBatch(BATCH);
const txCounters = newTxCounters();
/** Counts of ports closed since start (ports are reopened when the interface set changes). */
const closedRx = { frames: 0, bytes: 0, truncated: 0, ringDrops: 0 };

/** Copies the io's counters into this thread's shared counters (once a second). */
function publishIoCounters(): void {
  let frames = closedRx.frames;
  let bytes = closedRx.bytes;
  let truncated = closedRx.truncated;
  let ringDrops = closedRx.ringDrops;
  for (const p of group.ports) {
    frames += p.reader.counters.frames;
    bytes += p.reader.counters.bytes;
    truncated += p.reader.counters.truncated;
    ringDrops += p.statistics().dropped;
  }
  const st = shared.stats;
  st.set(FrameStat.IoRxFrames, frames);
  st.set(FrameStat.IoRxBytes, bytes);
  st.set(FrameStat.IoRxTruncated, truncated);
  st.set(FrameStat.IoRxRingDrops, ringDrops);
  group.tx.counters(txCounters);
  st.set(FrameStat.IoTxFrames, txTotals.sent + txCounters.sent);
  st.set(FrameStat.IoTxBytes, txTotals.bytes + txCounters.sentBytes);
  st.set(FrameStat.IoTxFailed, txTotals.failed + txCounters.failed);
}
const txTotals = { sent: 0, bytes: 0, failed: 0 };

/** Multicast groups each port (by its index) was told to receive, as "aa:bb:…" keys. */
let joined: Set<string>[] = [];

/** Joins the multicast groups `spec` names that port `k` (one of spec's) has not joined yet. */
function joinGroups(k: number, spec: PortSpec): void {
  const done = (joined[k] ??= new Set());
  for (const mac of spec.multicast ?? []) {
    const key = mac.join(':');
    if (done.has(key)) continue;
    group.ports[k]!.addMembership(Buffer.from(mac));
    done.add(key);
  }
}

/** Serves `specs`: new filters on the same interfaces are swapped in place (no frame lost). */
function openPorts(specs: readonly PortSpec[]): void {
  const plans = portPlans(specs, init.ring);
  const same =
    group.ports.length === plans.length &&
    plans.every(
      (p, k) =>
        group.ports[k]!.ifIndex === p.spec.ifIndex && group.ports[k]!.ifName === p.spec.name,
    );
  if (same) {
    plans.forEach((p, k) => {
      group.ports[k]!.setFilter(p.filter);
      joinGroups(k, p.spec);
    });
    return;
  }
  // The counts of the ports about to close are kept.
  for (const p of group.ports) {
    closedRx.frames += p.reader.counters.frames;
    closedRx.bytes += p.reader.counters.bytes;
    closedRx.truncated += p.reader.counters.truncated;
    closedRx.ringDrops += p.statistics().dropped;
  }
  group.tx.counters(txCounters);
  txTotals.sent += txCounters.sent;
  txTotals.bytes += txCounters.sentBytes;
  txTotals.failed += txCounters.failed;
  group.close();
  joined = [];
  group = new PortGroup({ wakerFd: init.wakerFd });
  for (const p of plans) {
    group.open({
      ifName: p.spec.name,
      ring: p.ring,
      qdiscBypass: init.qdiscBypass,
      filter: p.filter,
      ...(p.fanoutGroup !== 0 ? { fanout: { group: p.fanoutGroup, mode: 'hash' as const } } : {}),
    });
  }
  plans.forEach((p, k) => joinGroups(k, p.spec));
  sink = new PortSink(group);
  sink.addArena(engine.arena.buf);
}

/** Applies the main thread's messages; false when told to stop. */
function readMessages(): boolean {
  for (;;) {
    const m = receiveMessageOnPort(port!)?.message as ToWorker | undefined;
    if (!m) return true;
    if (m.type === 'snapshot') engine.configure(m.snapshot);
    else if (m.type === 'ports') openPorts(m.ports);
    else if (m.type === 'trace') engine.setTrace(m.ring ? new TraceRing(m.ring) : undefined);
    else return false;
  }
}

/** Runs each ready frame of every port through the engine; returns how many. */
function forwardReady(now: number): number {
  let n = 0;
  let backlogged = false;
  const ports = group.ports;
  for (let p = 0; p < ports.length; p++) {
    const pt = ports[p]!;
    const ring = pt.ring;
    const ifIndex = pt.ifIndex;
    batch.clear();
    pt.read(batch);
    if (pt.reader.backlogged) backlogged = true;
    for (let k = 0; k < batch.count; k++) {
      const off = batch.frame[k]!;
      const len = batch.length[k]!;
      const type = ethType(ring, off);
      if (type === EtherType.ARP) neighbours.learn(ring, off, len, ifIndex, now);
      else if (
        type === EtherType.IPv4 &&
        len > 34 &&
        ring[off + 14 + Ipv4.Proto] === IPPROTO_VRRP
      ) {
        post({ type: 'frame', ifIndex, frame: new Uint8Array(ring.subarray(off, off + len)) });
      }
      engine.process(ring, off, len, ifIndex, now);
    }
    n += batch.count;
  }
  engine.firstSyn.notePressure(backlogged, n, now);
  return n;
}

function run(): void {
  openPorts(init.ports);
  shared.progress.running(init.thread, true);
  post({ type: 'ready', thread: init.thread });
  let faultCheck = init.faultFile !== undefined ? 0 : Infinity;
  let nextCounters = 0;
  const progress = shared.progress;
  const thread = init.thread;
  for (;;) {
    progress.idle(thread, true);
    const r = group.wait(init.spinUs, WAIT_MS);
    progress.idle(thread, false);
    if ((r & WaitResult.Woken || r === WaitResult.TimedOut) && !readMessages()) break;
    const now = engineNow();
    if (now >= nextCounters) {
      nextCounters = now + 1000;
      publishIoCounters();
    }
    if (now >= faultCheck) {
      // Testing only (UVS_TEST_WORKER_FAULT_FILE): looked at ten times a second at most.
      faultCheck = now + 100;
      if (existsSync(init.faultFile!))
        throw new Error(`injected fault in forwarding worker ${thread}`);
    }
    if (forwardReady(now) > 0) {
      group.commit();
      engine.arena.reset();
    }
    progress.batchDone(thread);
    engine.endBatch();
  }
  shared.progress.running(init.thread, false);
  group.close();
}

run();
