// The fast path's shared state, made once by the main thread and attached by every worker:
//  - the persistent block: connection table and expiry wheel (a file in /dev/shm when uvsd runs,
//    so that a restarted uvsd finds its connections; plain shared memory otherwise);
//  - the runtime block: real servers' connection counts, schedulers' state, per-thread counters,
//    threads' progress (rebuilt at each start).
import { ConnTable } from './conn-table.js';
import { ExpiryWheel } from './expiry-wheel.js';
import { SchedStates } from './schedulers/sched-state.js';
import { DestCounters } from './shared/dest-counters.js';
import { NeighbourTable } from './shared/neighbour-table.js';
import { RegionLayout, SharedRegion } from './shared/region.js';
import type { ThreadId } from './shared/spin-lock.js';
import { ThreadStats } from './shared/thread-stats.js';
import { WorkerProgress } from './shared/worker-progress.js';

/** What a worker needs to attach to the state the main thread made (posted to it). */
export interface SharedHandles {
  readonly connCapacity: number;
  readonly persistent: SharedArrayBuffer;
  readonly runtime: SharedArrayBuffer;
}

export function persistentLayout(connCapacity: number): RegionLayout {
  return new RegionLayout([...ConnTable.parts(connCapacity), ...ExpiryWheel.parts()]);
}

export function runtimeLayout(): RegionLayout {
  return new RegionLayout([
    ...DestCounters.parts(),
    ...SchedStates.parts(),
    ...ThreadStats.parts(),
    ...WorkerProgress.parts(),
    ...NeighbourTable.parts(),
  ]);
}

export class EngineShared {
  readonly conns: ConnTable;
  readonly wheel: ExpiryWheel;
  readonly dests: DestCounters;
  readonly sched: SchedStates;
  readonly stats: ThreadStats;
  readonly progress: WorkerProgress;
  readonly neighbours: NeighbourTable;

  private constructor(
    readonly handles: SharedHandles,
    readonly persistent: SharedRegion,
    readonly runtime: SharedRegion,
    readonly thread: ThreadId,
  ) {
    this.conns = new ConnTable(persistent, handles.connCapacity, thread);
    this.wheel = new ExpiryWheel(persistent, this.conns, thread);
    this.dests = new DestCounters(runtime);
    this.sched = new SchedStates(runtime);
    this.stats = new ThreadStats(runtime, thread);
    this.progress = new WorkerProgress(runtime);
    this.neighbours = new NeighbourTable(runtime);
  }

  /**
   * The main thread's state: a new, empty table in `persistent` (or in fresh shared memory).
   * `now` starts the expiry wheel. (Adopting a block left by a previous uvsd is done by the
   * daemon, which knows the configuration the entries must match.)
   */
  static create(connCapacity: number, now: number, persistent?: SharedArrayBuffer): EngineShared {
    const pLayout = persistentLayout(connCapacity);
    const pRegion = persistent
      ? new SharedRegion(pLayout, persistent)
      : SharedRegion.anonymous(pLayout);
    const rRegion = SharedRegion.anonymous(runtimeLayout());
    const handles = {
      connCapacity,
      persistent: pRegion.buffer,
      runtime: rRegion.buffer,
    };
    const s = new EngineShared(handles, pRegion, rRegion, 0);
    s.conns.initialise(randomSeed());
    s.wheel.initialise(now);
    pRegion.markReady();
    return s;
  }

  /** A worker's view of the state the main thread made. */
  static attach(handles: SharedHandles, thread: ThreadId): EngineShared {
    return new EngineShared(
      handles,
      new SharedRegion(persistentLayout(handles.connCapacity), handles.persistent),
      new SharedRegion(runtimeLayout(), handles.runtime),
      thread,
    );
  }
}

function randomSeed(): number {
  return (Math.random() * 0x100000000) | 0;
}
