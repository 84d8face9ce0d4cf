// Expiring connections: one thread (the main thread, or the engine's owner when there are no
// workers) runs the expiry wheel; a due connection is taken out of the table; a template lives
// on while it controls connections (IPVS restarts its timer).
import { Cf, ConnFlag } from './conn-layout.js';
import { ConnCloser } from './conn-closer.js';
import type { ConnTable } from './conn-table.js';
import { Defense } from './defense.js';
import type { EngineShared } from './engine-shared.js';
import type { ExpiryWheel } from './expiry-wheel.js';
import type { LiveConfig } from './live-config.js';

export class ConnExpiry {
  readonly closer: ConnCloser;
  private readonly defense: Defense;

  /** `conns` and `wheel`: the IPv4 table by default, the IPv6 one (shared.conns6, wheel6) too. */
  constructor(
    shared: EngineShared,
    config: () => LiveConfig,
    private readonly conns: ConnTable = shared.conns,
    private readonly wheel: ExpiryWheel = shared.wheel,
  ) {
    this.closer = new ConnCloser(shared, config, conns);
    this.defense = new Defense(shared, this.closer, conns, wheel);
  }

  /**
   * Expires what is due at `now`, runs drop_entry's periodic sweep when the table is short, and
   * frees the slots of earlier removals that are safe.
   */
  run(now: number, cfg: LiveConfig): void {
    this.wheel.expire(now, (i) => this.due(i, now));
    this.defense.sweep(cfg, now);
    this.closer.reclaimer.reclaim();
  }

  private due(i: number, now: number): boolean {
    const c = this.conns;
    if (c.flags(i) & ConnFlag.Template && c.word(i, Cf.NControl) > 0) {
      c.setExpires(i, now + c.word(i, Cf.TimeoutMs));
      return false;
    }
    this.closer.close(i);
    return true;
  }
}
