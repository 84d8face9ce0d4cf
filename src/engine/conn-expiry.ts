// Expiring connections: one thread (the main thread, or the engine's owner when there are no
// workers) runs the expiry wheel; a due connection is taken out of the table; a template lives
// on while it controls connections (IPVS restarts its timer).
import { Cf, ConnFlag } from './conn-layout.js';
import { ConnCloser } from './conn-closer.js';
import { Defense } from './defense.js';
import type { EngineShared } from './engine-shared.js';
import type { LiveConfig } from './live-config.js';

export class ConnExpiry {
  readonly closer: ConnCloser;
  private readonly defense: Defense;

  constructor(
    private readonly shared: EngineShared,
    config: () => LiveConfig,
  ) {
    this.closer = new ConnCloser(shared, config);
    this.defense = new Defense(shared, this.closer);
  }

  /**
   * Expires what is due at `now`, runs drop_entry's periodic sweep when the table is short, and
   * frees the slots of earlier removals that are safe.
   */
  run(now: number, cfg: LiveConfig): void {
    this.shared.wheel.expire(now, (i) => this.due(i, now));
    this.defense.sweep(cfg, now);
    this.closer.reclaimer.reclaim();
  }

  private due(i: number, now: number): boolean {
    const c = this.shared.conns;
    if (c.flags(i) & ConnFlag.Template && c.word(i, Cf.NControl) > 0) {
      c.setExpires(i, now + c.word(i, Cf.TimeoutMs));
      return false;
    }
    this.closer.close(i);
    return true;
  }
}
