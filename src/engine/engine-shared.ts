// The fast path's shared state, made once by the main thread and attached by every worker:
//  - the persistent block: the connection tables (IPv4, IPv6) and their expiry wheels (a file in
//    /dev/shm when uvsd runs, so that a restarted uvsd finds its connections; plain shared memory
//    otherwise);
//  - the runtime block: real servers' connection counts, schedulers' state, per-thread counters,
//    threads' progress (rebuilt at each start).
import { SyncQueues } from './shared/sync-queues.js';
import { Cf, CONN_V4, CONN_V6, ConnFlag } from './conn-layout.js';
import { ConnTable } from './conn-table.js';
import { ConnTable6 } from './conn-table6.js';
import { ExpiryWheel, WHEEL } from './expiry-wheel.js';
import { SourceCache } from './source-cache.js';
import { SourceCache6 } from './source-cache6.js';
import { SchedStates } from './schedulers/sched-state.js';
import { DestCount, DestCounters } from './shared/dest-counters.js';
import { NeighbourTable } from './shared/neighbour-table.js';
import { NeighbourTable6 } from './shared/neighbour-table6.js';
import { Header, RegionLayout, SharedRegion } from './shared/region.js';
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
  return new RegionLayout([
    ...ConnTable.parts(connCapacity),
    ...ExpiryWheel.parts(),
    ...ConnTable6.parts6(connCapacity),
    ...ExpiryWheel.parts(WHEEL6),
  ]);
}

export function runtimeLayout(): RegionLayout {
  return new RegionLayout([
    ...DestCounters.parts(),
    ...SchedStates.parts(),
    ...ThreadStats.parts(),
    ...WorkerProgress.parts(),
    ...NeighbourTable.parts(),
    ...SyncQueues.parts(),
    ...NeighbourTable6.parts(),
    ...SourceCache.parts(),
    ...SourceCache6.parts(),
  ]);
}

/** The IPv6 table's expiry wheel's part names. */
const WHEEL6 = 'wheel6';

export class EngineShared {
  readonly conns: ConnTable;
  readonly wheel: ExpiryWheel;
  readonly dests: DestCounters;
  readonly sched: SchedStates;
  readonly stats: ThreadStats;
  readonly progress: WorkerProgress;
  readonly neighbours: NeighbourTable;
  readonly syncQueues: SyncQueues;
  /** IPv6 connections, in a table of their own (longer entries), and their wheel. */
  readonly conns6: ConnTable6;
  readonly wheel6: ExpiryWheel;
  readonly neighbours6: NeighbourTable6;
  /** Where each client's frames were last seen, IPv4 and IPv6 (for firewall-mark services). */
  readonly sources: SourceCache;
  readonly sources6: SourceCache6;

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
    this.syncQueues = new SyncQueues(runtime);
    this.conns6 = new ConnTable6(persistent, handles.connCapacity, thread);
    this.wheel6 = new ExpiryWheel(persistent, this.conns6, thread, WHEEL6);
    this.neighbours6 = new NeighbourTable6(runtime);
    this.sources = new SourceCache(runtime);
    this.sources6 = new SourceCache6(runtime);
  }

  /** Shared memory of the IPv4 or the IPv6 connection table with its expiry wheel, in bytes. */
  tableBytes(family: 4 | 6): number {
    const l = this.persistent.layout;
    return family === 4
      ? l.bytesOf(CONN_V4.name) + l.bytesOf(WHEEL)
      : l.bytesOf(CONN_V6.name) + l.bytesOf(WHEEL6);
  }

  /**
   * The main thread's state: a new, empty table in `persistent` (or in fresh shared memory).
   * `now` starts the expiry wheel. When `persistent` holds the table of a previous uvsd
   * (`keepFound`), it is left for adopt(); the caller must then call adopt() or reset() before
   * anything reads the table.
   */
  static create(
    connCapacity: number,
    now: number,
    persistent?: SharedArrayBuffer,
    keepFound = false,
  ): EngineShared {
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
    if (!(keepFound && pRegion.adopted)) s.reset(now);
    return s;
  }

  /** True when the table holds a previous uvsd's connections, not adopted yet. */
  get found(): boolean {
    return this.persistent.adopted && !this.settled;
  }

  private settled = false;

  /** An empty table (a fresh start, or a found table refused). */
  reset(now: number): void {
    this.persistent.header[Header.Ready] = 0;
    this.conns.initialise(randomSeed());
    this.wheel.initialise(now);
    this.conns6.initialise(randomSeed());
    this.wheel6.initialise(now);
    this.persistent.markReady();
    this.settled = true;
  }

  /**
   * Takes over the connections of a previous uvsd, in both tables: `resolve(table, i)` re-binds
   * entry `i` of `table` to the current configuration (its service and real server ids) or
   * refuses it; what is refused or expired is dropped. Chains are rebuilt under new hash seeds,
   * the expiry wheels refilled, the real servers' counts and the templates' n_control counted
   * again. Returns the entries kept.
   */
  adopt(now: number, resolve: (table: ConnTable, i: number) => boolean): number {
    let kept = 0;
    for (const [c, wheel] of [
      [this.conns, this.wheel],
      [this.conns6, this.wheel6],
    ] as const) {
      const k = c.adopt(randomSeed(), (i) => c.expires(i) > now && resolve(c, i));
      wheel.initialise(now);
      recount(this.dests, c, k);
      for (const i of k) wheel.add(i);
      kept += k.length;
    }
    this.settled = true;
    return kept;
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

/** Real servers' counts and templates' n_control, from the entries themselves. */
function recount(dests: DestCounters, c: ConnTable, kept: readonly number[]): void {
  const isKept = new Set(kept);
  for (const i of kept) if (c.flags(i) & ConnFlag.Template) c.setWord(i, Cf.NControl, 0);
  for (const i of kept) {
    const flags = c.flags(i);
    const dest = c.word(i, Cf.DestId);
    if (flags & ConnFlag.Template) dests.add(dest, DestCount.Persistent, 1);
    else dests.add(dest, flags & ConnFlag.Inactive ? DestCount.Inactive : DestCount.Active, 1);
    const t = c.word(i, Cf.ControlOf);
    if (t < 0) continue;
    if (isKept.has(t)) c.addWord(t, Cf.NControl, 1);
    else c.setWord(i, Cf.ControlOf, -1);
  }
}

function randomSeed(): number {
  return (Math.random() * 0x100000000) | 0;
}
