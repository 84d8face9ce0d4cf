// What the VRRP runtime runs: keepalived's vrrp_instance, vrrp_script and vrrp_sync_group as
// plain data (addresses as VrrpAddr: uint32 for IPv4, bigint for IPv6; times in
// milliseconds), made from the keepalived.conf reader's model by from-keepalived.ts; tests may
// write it by hand.
import type { VrrpAddr } from './vrrp-addr.js';
import type { VrrpFamily, VrrpVersion } from './vrrp-packet.js';

export interface VirtualAddress {
  readonly addr: VrrpAddr;
  readonly prefixLen: number;
  /** `dev IF`: the interface that holds it (the instance's own by default). */
  readonly dev?: string;
  /** How it was written, for messages and `ip addr`. */
  readonly text: string;
}

/** A tracked interface or script and its weight (0: its failure puts the instance in FAULT). */
export interface TrackedItem {
  readonly name: string;
  /**
   * Added to the priority while an interface is up / a script succeeds when positive;
   * added while it is down / failing when negative (keepalived's weight).
   */
  readonly weight: number;
}

export interface VrrpInstanceSpec {
  readonly name: string;
  /** The interface adverts are sent and received on. */
  readonly interface: string;
  readonly vrid: number;
  /** Configured priority, 1-255 (255: the address owner). */
  readonly priority: number;
  /** advert_int, milliseconds (version 2: whole seconds). */
  readonly advertIntMs: number;
  readonly version: VrrpVersion;
  /** The family of its VIPs and adverts (keepalived's: from its addresses); 4 when absent. */
  readonly family?: VrrpFamily;
  /** Preempt a lower-priority master (keepalived's default; `nopreempt` turns it off). */
  readonly preempt: boolean;
  /** preempt_delay: milliseconds after entering BACKUP during which a lower master is tolerated. */
  readonly preemptDelayMs: number;
  readonly vips: readonly VirtualAddress[];
  /** Version 2 `authentication { auth_type PASS; auth_pass … }`. */
  readonly authPass?: string;
  /**
   * unicast_src_ip (mcast_src_ip); otherwise the interface's first IPv4 address, or its
   * link-local IPv6 address.
   */
  readonly unicastSrc?: VrrpAddr;
  /** unicast_peer: adverts go to each of them instead of the multicast group. */
  readonly unicastPeers: readonly VrrpAddr[];
  /** mcast_dst_ip / vrrp_mcast_group4|6 when not 224.0.0.18 / ff02::12. */
  readonly mcastGroup?: VrrpAddr;
  readonly trackInterfaces: readonly TrackedItem[];
  /** track_script: vrrp_script names, with the weight to use (the script's own by default). */
  readonly trackScripts: readonly TrackedItem[];
  /**
   * garp_master_delay: milliseconds before the second burst of gratuitous ARPs (IPv6:
   * unsolicited neighbour advertisements) (0: none).
   */
  readonly garpMasterDelayMs: number;
  /** garp_master_repeat: gratuitous ARPs (or advertisements) per VIP in a burst. */
  readonly garpMasterRepeat: number;
  /** garp_master_refresh: milliseconds between bursts while master (0: none). */
  readonly garpMasterRefreshMs: number;
  readonly notifyMaster?: string;
  readonly notifyBackup?: string;
  readonly notifyFault?: string;
  readonly notifyStop?: string;
  /** `notify`: run with "INSTANCE" NAME STATE PRIORITY. */
  readonly notify?: string;
}

export interface VrrpScriptSpec {
  readonly name: string;
  readonly script: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly weight: number;
  /** Consecutive failures before it counts as failed. */
  readonly fall: number;
  /** Consecutive successes before it counts as ok again. */
  readonly rise: number;
  /** init_fail: failed until it first succeeds. */
  readonly initFail?: boolean;
}

export interface VrrpSyncGroupSpec {
  readonly name: string;
  readonly members: readonly string[];
  readonly notifyMaster?: string;
  readonly notifyBackup?: string;
  readonly notifyFault?: string;
  readonly notify?: string;
}

/** global_defs lvs_sync_daemon INTERFACE VRRP_INSTANCE [id N] [maxlen N] [port N] [ttl N] [group IP]. */
export interface LvsSyncDaemonSpec {
  readonly interface: string;
  readonly instance: string;
  /** The sync id (keepalived's default, the instance's virtual_router_id, filled in). */
  readonly syncId: number;
  readonly maxlen?: number;
  readonly port?: number;
  readonly ttl?: number;
  readonly group?: number;
}

export interface VrrpConfig {
  readonly instances: readonly VrrpInstanceSpec[];
  readonly scripts: readonly VrrpScriptSpec[];
  readonly syncGroups: readonly VrrpSyncGroupSpec[];
  readonly lvsSyncDaemon?: LvsSyncDaemonSpec;
}
