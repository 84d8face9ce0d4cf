// Round robin (ip_vs_rr.c): the next available server after the last one chosen. The last one
// is kept in the service's shared state, so that every worker continues one rotation.
import type { LiveDest } from '../live-dest.js';
import type { SchedState } from './sched-state.js';
import type { Scheduler } from './scheduler.js';

/** State word: id + 1 of the last server chosen (0: none yet). */
const LAST = 1;

export class RoundRobin implements Scheduler {
  readonly name = 'rr';

  constructor(private readonly state: SchedState) {}

  destsChanged(): void {}

  schedule(dests: readonly LiveDest[]): LiveDest | undefined {
    const n = dests.length;
    if (n === 0) return undefined;
    const st = this.state;
    st.lock();
    const last = st.get(LAST) - 1;
    let start = 0;
    for (let k = 0; k < n; k++) {
      if (dests[k]!.id === last) {
        start = k + 1;
        break;
      }
    }
    let chosen: LiveDest | undefined;
    for (let k = 0; k < n; k++) {
      const d = dests[(start + k) % n]!;
      if (d.available) {
        chosen = d;
        st.set(LAST, d.id + 1);
        break;
      }
    }
    st.unlock();
    return chosen;
  }
}
