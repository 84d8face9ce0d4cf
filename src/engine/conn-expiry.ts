// Expiring connections: one thread (the main thread, or the engine's owner when there are no
// workers) runs the expiry wheel; a due connection is taken out of the table and its real
// server's counts go down; a template lives on while it controls connections (IPVS restarts its
// timer). A removed entry's slot is reused only once every worker has moved past any batch that
// could still be looking at it (WorkerProgress).
import { Cf, ConnFlag } from './conn-layout.js';
import type { EngineShared } from './engine-shared.js';
import type { LiveConfig } from './live-config.js';
import { DestCount } from './shared/dest-counters.js';
import { MAX_THREADS } from './shared/limits.js';

interface Retired {
  readonly slots: number[];
  readonly mark: Int32Array;
}

export class ConnExpiry {
  private retiring: number[] = [];
  private readonly waiting: Retired[] = [];

  constructor(
    private readonly shared: EngineShared,
    private readonly config: () => LiveConfig,
  ) {}

  /** Expires what is due at `now`, and frees the slots of earlier removals that are safe. */
  run(now: number): void {
    this.shared.wheel.expire(now, (i) => this.due(i, now));
    this.reclaim();
  }

  private due(i: number, now: number): boolean {
    const c = this.shared.conns;
    const flags = c.flags(i);
    if (flags & ConnFlag.Template && c.word(i, Cf.NControl) > 0) {
      c.setExpires(i, now + c.word(i, Cf.TimeoutMs));
      return false;
    }
    this.remove(i);
    return true;
  }

  /** Takes connection `i` out of the table now (it must not be on the wheel any more). */
  remove(i: number): void {
    const c = this.shared.conns;
    const flags = c.flags(i);
    const control = c.word(i, Cf.ControlOf);
    if (control >= 0) c.addWord(control, Cf.NControl, -1);
    const destId = c.word(i, Cf.DestId);
    const counts = this.shared.dests;
    if (flags & ConnFlag.Template) counts.add(destId, DestCount.Persistent, -1);
    else if (flags & ConnFlag.Inactive) counts.add(destId, DestCount.Inactive, -1);
    else counts.add(destId, DestCount.Active, -1);
    this.config().destsById[destId]?.updateOverload();
    c.unlink(i);
    this.retiring.push(i);
  }

  private reclaim(): void {
    const progress = this.shared.progress;
    while (this.waiting.length > 0 && progress.passedSince(this.waiting[0]!.mark)) {
      for (const i of this.waiting.shift()!.slots) this.shared.conns.free(i);
    }
    if (this.retiring.length > 0) {
      const mark = new Int32Array(MAX_THREADS);
      progress.mark(mark);
      this.waiting.push({ slots: this.retiring, mark });
      this.retiring = [];
      // With no busy worker (no workers, or all idle), the slots are free at once.
      if (progress.passedSince(mark)) {
        for (const i of this.waiting.pop()!.slots) this.shared.conns.free(i);
      }
    }
  }
}
