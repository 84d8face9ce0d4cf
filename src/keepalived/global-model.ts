// global_defs: the settings a director and its VRRP runtime need, with keepalived 2's
// defaults filled in. Times are seconds (fractions allowed where keepalived allows them).

/** `lvs_sync_daemon INTERFACE [VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]`. */
export interface LvsSyncDaemonSpec {
  readonly interface: string;
  /** The VRRP instance whose state the sync daemon follows (master sends, backup receives). */
  readonly instance?: string;
  /** 0-255; unset: the instance's virtual_router_id (keepalived's default), else 0. */
  readonly syncId: number;
  /** Largest sync message payload; unset: IPVS's default (from the interface MTU). */
  readonly maxlen?: number;
  /** Unset: 8848. */
  readonly port?: number;
  /** Unset: 1. */
  readonly ttl?: number;
  /** Multicast group, IPv4 or IPv6; unset: 224.0.0.81. */
  readonly group?: string;
}

export interface ScriptUser {
  readonly user: string;
  readonly group?: string;
}

export interface LvsTimeouts {
  readonly tcp?: number;
  readonly tcpfin?: number;
  readonly udp?: number;
}

export interface GlobalDefs {
  readonly routerId?: string;
  readonly vrrpVersion: 2 | 3;
  readonly vrrpMcastGroup4: string;
  readonly vrrpMcastGroup6: string;
  /** Seconds after becoming master before the second burst of gratuitous ARPs. */
  readonly vrrpGarpMasterDelay: number;
  /** Gratuitous ARPs sent in each burst. */
  readonly vrrpGarpMasterRepeat: number;
  /** Seconds between refresh bursts as master; 0: none. */
  readonly vrrpGarpMasterRefresh: number;
  readonly vrrpGarpMasterRefreshRepeat: number;
  readonly vrrpGarpLowerPrioDelay?: number;
  readonly vrrpGarpLowerPrioRepeat?: number;
  /** Seconds between gratuitous ARPs on an interface (vrrp_garp_interval). */
  readonly vrrpGarpInterval: number;
  /** Seconds between unsolicited neighbour advertisements (vrrp_gna_interval). */
  readonly vrrpGnaInterval: number;
  readonly vrrpMinGarp: boolean;
  readonly vrrpDownTimerAdverts: number;
  readonly vrrpLowerPrioNoAdvert: boolean;
  readonly vrrpHigherPrioSendAdvert: boolean;
  readonly vrrpStrict: boolean;
  readonly vrrpCheckUnicastSrc: boolean;
  readonly vrrpSkipCheckAdvAddr: boolean;
  /** Seconds to wait after start before VRRP runs. */
  readonly vrrpStartupDelay: number;
  readonly lvsSyncDaemon?: LvsSyncDaemonSpec;
  readonly lvsTimeouts?: LvsTimeouts;
  readonly lvsFlush: boolean;
  readonly lvsFlushOnStop: boolean;
  readonly enableScriptSecurity: boolean;
  readonly scriptUser?: ScriptUser;
  readonly dynamicInterfaces: boolean;
  readonly defaultInterface?: string;
  readonly notificationEmail: readonly string[];
  readonly notificationEmailFrom?: string;
  readonly smtpServer?: string;
  readonly smtpConnectTimeout?: number;
}
