// What the control socket asks of the connection sync daemons (ipvsadm --start-daemon,
// --stop-daemon, -L --daemon); SyncDaemons implements it.
import type { ConnView } from '../engine/model.js';
import type { SyncDaemonRequest, SyncDaemonView } from './sync-config.js';
import type { SyncStats } from './sync-daemon.js';

/** A refusal throws ControlError with libipvs's message ("Daemon has already run"…). */
export interface SyncDaemonControl {
  startDaemon(request: SyncDaemonRequest): Promise<void>;
  stopDaemon(state: 'master' | 'backup'): void;
  daemons(): readonly SyncDaemonView[];
  /** Counters, and the connections a backup holds from its master (as -Lnc shows them). */
  syncStatus(): { readonly stats: SyncStats; readonly held: readonly ConnView[] };
}
