// Taking a connection out of the table (its timer ran out, or the defences dropped it): the real
// server's counts go down, the template it was bound by controls one connection less, the entry
// leaves the chains, and its slot waits for the grace period before reuse (SlotReclaimer).
import { Cf, ConnFlag } from './conn-layout.js';
import type { ConnTable } from './conn-table.js';
import type { EngineShared } from './engine-shared.js';
import type { LiveConfig } from './live-config.js';
import { DestCount } from './shared/dest-counters.js';
import { SlotReclaimer } from './slot-reclaimer.js';

export class ConnCloser {
  readonly reclaimer: SlotReclaimer;

  /** `conns`: the IPv4 table by default, or the IPv6 one. */
  constructor(
    private readonly shared: EngineShared,
    private readonly config: () => LiveConfig,
    private readonly conns: ConnTable = shared.conns,
  ) {
    this.reclaimer = new SlotReclaimer(conns, shared.progress);
  }

  /** Removes connection `i`, which is on no wheel list (expired, or taken off by the caller). */
  close(i: number): void {
    const c = this.conns;
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
    this.reclaimer.retire(i);
  }
}
