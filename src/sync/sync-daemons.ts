// The director's sync daemons as uvsadm (--start-daemon, --stop-daemon, -L --daemon) and
// keepalived's lvs_sync_daemon drive them: at most one master and one backup, with libipvs's
// refusals ("Daemon has already run", "No daemon is running").
import type { Clock } from '../clock/clock.js';
import type { SyncDaemonControl } from './sync-control.js';
import { ControlError, type ConnView } from '../engine/model.js';
import {
  resolveSyncConfig,
  type SyncDaemonRequest,
  type SyncDaemonView,
  type SyncRole,
} from './sync-config.js';
import { newSyncStats, SyncBackup, SyncMaster, type Log, type SyncStats } from './sync-daemon.js';
import type { SyncSink, SyncSource } from './sync-ports.js';

export interface SyncDaemonsDeps {
  /** An interface's first IPv4 address and MTU, by name. */
  readonly interfaceOf: (
    name: string,
  ) => { readonly addr: string; readonly mtu: number } | undefined;
  readonly source: SyncSource;
  readonly sink: SyncSink;
  readonly clock: Clock;
  readonly log: Log;
  /** The connections a backup holds, as -Lnc shows them. */
  readonly held: () => readonly ConnView[];
}

export class SyncDaemons implements SyncDaemonControl {
  private master: SyncMaster | undefined;
  private backup: SyncBackup | undefined;
  readonly stats: SyncStats = newSyncStats();

  constructor(private readonly deps: SyncDaemonsDeps) {}

  async startDaemon(request: SyncDaemonRequest): Promise<void> {
    if (request.state === 'master' ? this.master : this.backup)
      throw new ControlError('E_INVALID', 'Daemon has already run');
    const iface = this.deps.interfaceOf(request.mcastIfn);
    // The kernel's ENODEV, as ipvsadm prints it (strerror).
    if (!iface) throw new ControlError('E_INVALID', 'No such device');
    const view = resolveSyncConfig(request, iface.mtu);
    const { clock, log } = this.deps;
    try {
      if (view.state === 'master') {
        const m = new SyncMaster(view, iface.addr, this.deps.source, clock, this.stats, log);
        this.master = m;
        await m.start();
        this.deps.source.setActive?.(true);
      } else {
        const b = new SyncBackup(view, iface.addr, this.deps.sink, clock, this.stats, log);
        this.backup = b;
        await b.start();
      }
    } catch (err) {
      this.stop(view.state);
      throw new ControlError('E_INVALID', `${view.state} sync daemon: ${(err as Error).message}`);
    }
  }

  stopDaemon(state: SyncRole): void {
    if (!(state === 'master' ? this.master : this.backup))
      throw new ControlError('E_INVALID', 'No daemon is running');
    this.stop(state);
    this.deps.log(`stopping ${state} sync thread`);
  }

  private stop(state: SyncRole): void {
    if (state === 'master') {
      if (this.master) this.deps.source.setActive?.(false);
      this.master?.stop();
      this.master = undefined;
    } else {
      this.backup?.stop();
      this.backup = undefined;
    }
  }

  daemons(): SyncDaemonView[] {
    return [this.master?.view, this.backup?.view].filter((v) => v !== undefined);
  }

  syncStatus(): { stats: SyncStats; held: readonly ConnView[] } {
    return { stats: this.stats, held: this.deps.held() };
  }

  running(state: SyncRole): boolean {
    return (state === 'master' ? this.master : this.backup) !== undefined;
  }

  /** The master in flight, for tests that flush it. */
  get masterDaemon(): SyncMaster | undefined {
    return this.master;
  }

  close(): void {
    this.stop('master');
    this.stop('backup');
  }
}
