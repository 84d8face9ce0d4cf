// The sync daemon's settings, as `ipvsadm --start-daemon` and keepalived's lvs_sync_daemon
// give them, with the kernel's defaults and limits (ip_vs_sync.c start_sync_thread).

export type SyncRole = 'master' | 'backup';

export const SYNC_DEFAULT_GROUP = '224.0.0.81';
export const SYNC_DEFAULT_PORT = 8848;
export const SYNC_DEFAULT_TTL = 1;
/** ipvsadm's DEF_MCAST_IFN when --mcast-interface is not given. */
export const SYNC_DEFAULT_IFN = 'eth0';
/** IPv4 + UDP headers. */
const HLEN = 20 + 8;

/** What a start request says; unset numbers (0) take the defaults. */
export interface SyncDaemonRequest {
  readonly state: SyncRole;
  readonly mcastIfn: string;
  readonly syncId: number;
  /** 0: from the interface's MTU. */
  readonly maxlen: number;
  /** Empty: 224.0.0.81. */
  readonly group: string;
  /** 0: 8848. */
  readonly port: number;
  /** 0: 1. */
  readonly ttl: number;
}

/** A running daemon's settings, defaults filled in (what `-L --daemon` prints). */
export interface SyncDaemonView {
  readonly state: SyncRole;
  readonly mcastIfn: string;
  readonly syncId: number;
  readonly maxlen: number;
  readonly group: string;
  readonly port: number;
  readonly ttl: number;
}

/**
 * The kernel's sync_maxlen: a master's messages fit a 1500-byte MTU whatever the interface
 * (IPVS keeps them small), a backup reads up to its interface's MTU (at least 1500); a given
 * maxlen is clamped to [1 (master) or 1024 (backup), 65535 − headers].
 */
export function syncMaxlen(role: SyncRole, requested: number, interfaceMtu: number): number {
  if (requested > 0)
    return Math.min(Math.max(requested, role === 'backup' ? 1024 : 1), 65535 - HLEN);
  const mtu = role === 'backup' ? Math.min(Math.max(interfaceMtu, 1500), 65535) : 1500;
  return mtu - HLEN;
}

export function resolveSyncConfig(r: SyncDaemonRequest, interfaceMtu: number): SyncDaemonView {
  return {
    state: r.state,
    mcastIfn: r.mcastIfn,
    syncId: r.syncId,
    maxlen: syncMaxlen(r.state, r.maxlen, interfaceMtu),
    group: r.group || SYNC_DEFAULT_GROUP,
    port: r.port || SYNC_DEFAULT_PORT,
    ttl: r.ttl || SYNC_DEFAULT_TTL,
  };
}
