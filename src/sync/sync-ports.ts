// What the sync daemon needs of the connection table, and gives it: the lead's engine
// implements both over its shared connection table.
import type { SyncConn } from './sync-conn.js';

/** The master's side: connections whose state the backups should learn now. */
export interface SyncSource {
  /**
   * Up to `max` connections to send, oldest change first; each is handed out once per change
   * (IPVS sends on TCP state changes and every sync_period packets, templates included).
   */
  drain(max: number): SyncConn[];
  /** The master daemon started (true) or stopped (false): changes are recorded only meanwhile. */
  setActive?(active: boolean): void;
}

/** The backup's side: a connection learnt from the master. */
export interface SyncSink {
  /**
   * Creates the connection (IP_VS_CONN_F_SYNC set, bound to its real server if one matches
   * daddr:dport in the service) or updates its state, flags and timeout, as ip_vs_proc_conn.
   * Must not throw: a connection it cannot take is counted and ignored.
   */
  apply(conn: SyncConn, now: number): void;
}
