// The main thread's side of the forwarding workers: starts N of them on the shared state, posts
// each configuration snapshot and port set to all (then wakes them), and restarts one that died —
// after releasing the locks it may have held — so that the connections it carried go on (they
// are in shared memory, not in the worker).
import { Worker } from 'node:worker_threads';
import type { EngineShared } from '../../engine/engine-shared.js';
import type { EngineSnapshot } from '../../engine/snapshot.js';
import { afpacketAddon, type NativeWaker } from '../../io/afpacket/native.js';
import type { RingConfig } from '../../io/afpacket/ring-config.js';
import type { TraceRing } from '../../engine/trace/trace-ring.js';
import type { FromWorker, PortSpec, ToWorker, WorkerInit } from './worker-messages.js';

const WORKER_URL = new URL('./forwarding-worker.js', import.meta.url);
/** A worker that dies this soon after its start is restarted after a pause (no tight loop). */
const RESTART_DELAY_MS = 200;

export interface WorkerPoolOptions {
  readonly workers: number;
  readonly ring: RingConfig;
  readonly spinUs: number;
  readonly qdiscBypass: boolean;
  readonly log: (msg: string) => void;
  /** A frame a worker handed over (VRRP adverts). */
  readonly onFrame?: (ifIndex: number, frame: Buffer) => void;
  /** Testing only: the first incarnation of each worker throws once this file exists. */
  readonly faultFile?: string;
}

interface Slot {
  readonly thread: number;
  readonly waker: NativeWaker;
  worker: Worker | undefined;
  restarts: number;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private snapshot: EngineSnapshot;
  private ports: readonly PortSpec[] = [];
  private closing = false;
  private traceRings: readonly TraceRing[] | undefined;

  constructor(
    private readonly shared: EngineShared,
    private readonly opts: WorkerPoolOptions,
    snapshot: EngineSnapshot,
  ) {
    this.snapshot = snapshot;
  }

  /** Starts the workers on `ports`; resolves once every one is forwarding. */
  async start(ports: readonly PortSpec[]): Promise<void> {
    this.ports = ports;
    const addon = afpacketAddon();
    const ready: Promise<void>[] = [];
    for (let t = 1; t <= this.opts.workers; t++) {
      const slot: Slot = { thread: t, waker: new addon.Waker(), worker: undefined, restarts: 0 };
      this.slots.push(slot);
      ready.push(this.spawn(slot));
    }
    await Promise.all(ready);
  }

  get size(): number {
    return this.slots.length;
  }

  /** Total restarts of workers that died (for metrics and tests). */
  get restarts(): number {
    return this.slots.reduce((n, s) => n + s.restarts, 0);
  }

  private spawn(slot: Slot): Promise<void> {
    const init: WorkerInit = {
      thread: slot.thread,
      handles: this.shared.handles,
      ring: this.opts.ring,
      spinUs: this.opts.spinUs,
      qdiscBypass: this.opts.qdiscBypass,
      wakerFd: slot.waker.fd,
      ports: this.ports,
      snapshot: this.snapshot,
      ...(this.traceRings ? { trace: this.traceRings[slot.thread - 1]!.buffer } : {}),
      ...(slot.restarts === 0 && this.opts.faultFile !== undefined
        ? { faultFile: this.opts.faultFile }
        : {}),
    };
    const worker = new Worker(WORKER_URL, { workerData: init });
    slot.worker = worker;
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          started = true;
          resolve();
        } else if (m.type === 'frame') this.opts.onFrame?.(m.ifIndex, Buffer.from(m.frame));
        else if (m.type === 'log') this.opts.log(`uvsd: worker ${slot.thread}: ${m.message}`);
      });
      worker.on('error', (err) => {
        this.opts.log(`uvsd: forwarding worker ${slot.thread} failed: ${err.message}`);
        if (!started) reject(err);
      });
      worker.on('exit', () => {
        slot.worker = undefined;
        if (this.closing || !started) return;
        this.recover(slot);
      });
    });
  }

  /** A worker died: free what it held, start it again with the current configuration. */
  private recover(slot: Slot): void {
    const s = this.shared;
    const t = slot.thread;
    s.progress.running(t, false);
    const freed =
      s.conns.releaseLocksOf(t) +
      (s.wheel.releaseLocksOf(t) ? 1 : 0) +
      s.sched.releaseLocksOf(t) +
      s.conns6.releaseLocksOf(t) +
      (s.wheel6.releaseLocksOf(t) ? 1 : 0);
    s.neighbours.releaseWriterOf(t);
    s.neighbours6.releaseWriterOf(t);
    slot.restarts++;
    this.opts.log(
      `uvsd: restarting forwarding worker ${t} (restart ${slot.restarts}${freed ? `, ${freed} lock(s) released` : ''})`,
    );
    setTimeout(() => {
      if (this.closing) return;
      this.spawn(slot).catch((err: Error) =>
        this.opts.log(`uvsd: forwarding worker ${t} cannot restart: ${err.message}`),
      );
    }, RESTART_DELAY_MS);
  }

  private post(m: ToWorker): void {
    for (const s of this.slots) {
      s.worker?.postMessage(m);
      s.waker.wake();
    }
  }

  publish(snapshot: EngineSnapshot): void {
    this.snapshot = snapshot;
    this.post({ type: 'snapshot', snapshot });
  }

  setPorts(ports: readonly PortSpec[]): void {
    this.ports = ports;
    this.post({ type: 'ports', ports });
  }

  /** Each worker traces into its ring (one per worker, in thread order), or none does. */
  setTrace(rings: readonly TraceRing[] | undefined): void {
    this.traceRings = rings;
    this.slots.forEach((s, k) => {
      s.worker?.postMessage({
        type: 'trace',
        ring: rings ? rings[k]!.buffer : null,
      } satisfies ToWorker);
      s.waker.wake();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const exits = this.slots.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (!s.worker) return resolve();
          s.worker.once('exit', () => resolve());
        }),
    );
    this.post({ type: 'stop' });
    const timer = setTimeout(() => {
      for (const s of this.slots) void s.worker?.terminate();
    }, 2000);
    await Promise.all(exits);
    clearTimeout(timer);
    for (const s of this.slots) s.waker.close();
  }
}
