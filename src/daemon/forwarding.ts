// Where frames are forwarded: on the main thread (an io backend such as pcap, one frame per
// callback), or by worker threads over AF_PACKET rings. The daemon drives either the same way:
// it publishes each configuration snapshot, says which interfaces to serve with which filter, and
// ticks the expiry; what the main thread itself sends goes through `sender`.
import { ConnExpiry } from '../engine/conn-expiry.js';
import { Engine } from '../engine/engine.js';
import type { EngineShared } from '../engine/engine-shared.js';
import { LiveConfig } from '../engine/live-config.js';
import { EMPTY_SNAPSHOT } from '../engine/empty-snapshot.js';
import type { EngineSnapshot } from '../engine/snapshot.js';
import type { TraceRing } from '../engine/trace/trace-ring.js';
import { FrameStat } from '../engine/shared/thread-stats.js';
import type { FrameSender, IoBackend } from '../io/io-backend.js';
import { AfPacketSender } from './afpacket-sender.js';
import { engineNow } from './engine-clock.js';
import { frameLoop } from './frame-loop.js';
import { NeighbourEnv } from './neighbour-env.js';
import type { PortSpec } from './worker/worker-messages.js';
import { WorkerPool, type WorkerPoolOptions } from './worker/worker-pool.js';

export interface Forwarding {
  readonly name: string;
  readonly sender: FrameSender;
  /** Starts forwarding on `ports`. */
  start(ports: readonly PortSpec[]): Promise<void>;
  publish(snapshot: EngineSnapshot): void;
  /** The served interfaces or their filters changed. */
  setPorts(ports: readonly PortSpec[]): void;
  /** Expiry, about once a second. */
  tick(now: number): void;
  counters(): Record<string, number>;
  /** Forwarding threads (each traces into its own ring). */
  readonly threads: number;
  /** Every thread traces into its ring (in thread order), or none does. */
  setTrace(rings: readonly TraceRing[] | undefined): void;
  close(): Promise<void>;
}

/** The engine on the main thread, fed frame by frame by an io backend (pcap). */
export class InlineForwarding implements Forwarding {
  readonly engine: Engine;
  private opened = false;

  constructor(
    private readonly io: IoBackend,
    shared: EngineShared,
  ) {
    const env = new NeighbourEnv(shared.neighbours, engineNow);
    const sink = { send: (b: Buffer, o: number, l: number, i: number) => void io.send(i, b, o, l) };
    this.engine = new Engine(shared, env, sink);
    env.attach(this.engine.arena, sink, () => this.engine.config);
  }

  get name(): string {
    return this.io.name;
  }

  get sender(): FrameSender {
    return this.io;
  }

  start(ports: readonly PortSpec[]): Promise<void> {
    const env = this.engine.env as NeighbourEnv;
    this.io.open(
      ports.map((p) => p.name),
      frameLoop(
        this.engine,
        { learn: (b, o, l, i) => env.learn(b, o, l, i, engineNow()) },
        engineNow,
      ),
    );
    this.opened = true;
    return Promise.resolve();
  }

  publish(snapshot: EngineSnapshot): void {
    this.engine.configure(snapshot);
  }

  setPorts(): void {
    // libpcap's filter ("not ether src") and its interface set are fixed at start.
  }

  tick(now: number): void {
    this.engine.tick(now);
  }

  readonly threads = 1;

  setTrace(rings: readonly TraceRing[] | undefined): void {
    this.engine.setTrace(rings?.[0]);
  }

  counters(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.io.counters).map(([k, v]) => [`io.${k}`, v]));
  }

  close(): Promise<void> {
    if (this.opened) this.io.close();
    return Promise.resolve();
  }
}

/** N worker threads over AF_PACKET rings; the main thread expires connections. */
export class WorkerForwarding implements Forwarding {
  readonly name = 'afpacket';
  readonly sender = new AfPacketSender();
  private readonly pool: WorkerPool;
  private config: LiveConfig;
  private readonly expiry: ConnExpiry;
  private readonly expiry6: ConnExpiry;

  constructor(
    private readonly shared: EngineShared,
    opts: WorkerPoolOptions,
  ) {
    this.pool = new WorkerPool(shared, opts, EMPTY_SNAPSHOT);
    this.config = new LiveConfig(EMPTY_SNAPSHOT, shared.dests, shared.sched, shared.thread);
    this.expiry = new ConnExpiry(shared, () => this.config);
    this.expiry6 = new ConnExpiry(shared, () => this.config, shared.conns6, shared.wheel6);
  }

  async start(ports: readonly PortSpec[]): Promise<void> {
    this.sender.open(ports);
    await this.pool.start(ports);
  }

  publish(snapshot: EngineSnapshot): void {
    const s = this.shared;
    this.config = new LiveConfig(snapshot, s.dests, s.sched, s.thread, this.config);
    this.pool.publish(snapshot);
  }

  setPorts(ports: readonly PortSpec[]): void {
    this.sender.open(ports);
    this.pool.setPorts(ports);
  }

  tick(now: number): void {
    this.expiry.run(now, this.config);
    this.expiry6.run(now, this.config);
  }

  get threads(): number {
    return this.pool.size;
  }

  setTrace(rings: readonly TraceRing[] | undefined): void {
    this.pool.setTrace(rings);
  }

  counters(): Record<string, number> {
    const st = this.shared.stats;
    return {
      // As the io backends name them (IoCounters), summed over the workers.
      'io.rxFrames': st.sumFrame(FrameStat.IoRxFrames),
      'io.rxBytes': st.sumFrame(FrameStat.IoRxBytes),
      'io.txFrames': st.sumFrame(FrameStat.IoTxFrames),
      'io.txBytes': st.sumFrame(FrameStat.IoTxBytes),
      'io.txErrors': st.sumFrame(FrameStat.IoTxFailed),
      'io.rxTruncated': st.sumFrame(FrameStat.IoRxTruncated),
      'io.rxRingDrops': st.sumFrame(FrameStat.IoRxRingDrops),
      'io.workers': this.pool.size,
      'io.worker_restarts': this.pool.restarts,
      'io.main_tx_failed': this.sender.failed,
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
    this.sender.close();
  }
}
