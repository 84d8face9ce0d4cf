// The replay's one contact with the engine, driven as the daemon drives it: shared state, a
// director publishing its snapshots to one engine, a sink collecting what would be sent. A frame
// goes in laid out as packet/frame-layout.ts says, its virtio_net_hdr rebuilt from the frame
// (offload-hints.ts: a capture keeps no such header); what the engine emits comes out as frames. When the engine's API changes, only this file
// changes.
import { Director } from '../daemon/director.js';
import { Engine } from '../engine/engine.js';
import type { EngineEnv } from '../engine/engine-env.js';
import { EngineShared } from '../engine/engine-shared.js';
import type { HostFacts } from '../engine/snapshot.js';
import { Verdict } from '../engine/verdict.js';
import { FIRST_FRAME_OFFSET, MAX_FRAME } from '../packet/frame-layout.js';
import { writeOffloadHints, type OffloadHints } from './offload-hints.js';
import type { Placement } from './replay-host.js';

export type ReplayVerdict = 'forward' | 'reply' | 'drop' | 'not-ours';

export interface EmittedFrame {
  /** A copy of the frame (the engine's buffers are reused by the next frame). */
  readonly frame: Buffer;
  readonly ifIndex: number;
}

export interface ProcessedFrame {
  readonly verdict: ReplayVerdict;
  /** What the director would send for this frame (usually one frame, none on a drop). */
  readonly out: readonly EmittedFrame[];
  /** The frame came with a partial checksum, or as a GSO super-frame (offloads on). */
  readonly hints: OffloadHints;
}

export class ReplayEngine {
  readonly director: Director;
  private readonly engine: Engine;
  private readonly work = Buffer.alloc(FIRST_FRAME_OFFSET + MAX_FRAME);
  private emitted: EmittedFrame[] = [];
  private now: number;

  constructor(
    env: EngineEnv,
    facts: () => HostFacts,
    startMs: number,
    private readonly mtu = 1500,
    connTableSize = 65536,
  ) {
    this.now = startMs;
    const shared = EngineShared.create(connTableSize, startMs);
    this.engine = new Engine(shared, env, {
      send: (buf, off, len, ifIndex) =>
        void this.emitted.push({ frame: Buffer.from(buf.subarray(off, off + len)), ifIndex }),
    });
    this.director = new Director(
      shared,
      () => this.now,
      (snapshot) => this.engine.configure(snapshot),
      facts,
    );
  }

  /** The services' VIPs (for learning which MAC is the director's). */
  vips(): Set<number> {
    return new Set(this.director.table.ordered.map((s) => s.vip).filter((v) => v !== 0));
  }

  /**
   * Places every real server and publishes the configuration with the host as now known;
   * returns "real server addr: why" for those that cannot be reached.
   */
  placeRealServers(place: (addr: number) => Placement | string): string[] {
    const problems: string[] = [];
    for (const d of this.director.table.activeDests()) {
      const p = place(d.addr);
      if (typeof p === 'string') {
        problems.push(`real server ${d.addrText}: ${p}`);
        continue;
      }
      d.ifIndex = p.ifIndex;
      d.nextHop = p.nextHop;
      d.tunnelSrc = p.tunnelSrc;
    }
    this.director.republish();
    return problems;
  }

  process(frame: Buffer, ifIndex: number, nowMs: number): ProcessedFrame {
    this.now = nowMs;
    const off = FIRST_FRAME_OFFSET;
    const len = Math.min(frame.length, MAX_FRAME);
    frame.copy(this.work, off, 0, len);
    const hints = writeOffloadHints(this.work, off, len, this.mtu);
    this.emitted = [];
    const v = this.engine.process(this.work, off, len, ifIndex, nowMs);
    this.engine.arena.reset();
    return { verdict: VERDICTS[v], out: this.emitted, hints };
  }

  /** Expiry and rate estimates, as uvsd's once-a-second tick. */
  tick(nowMs: number): void {
    this.now = nowMs;
    this.engine.tick(nowMs);
    this.director.tick(nowMs);
  }

  counters(): Readonly<Record<string, number>> {
    return this.director.counters();
  }
}

const VERDICTS: Record<Verdict, ReplayVerdict> = {
  [Verdict.NotOurs]: 'not-ours',
  [Verdict.Forward]: 'forward',
  [Verdict.Reply]: 'reply',
  [Verdict.Drop]: 'drop',
};
