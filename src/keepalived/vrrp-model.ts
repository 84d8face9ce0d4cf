// The VRRP side of keepalived.conf, as the VRRP runtime consumes it: instances, their
// tracked scripts and interfaces, sync groups, and the static addresses, routes and rules.
// Defaults that keepalived derives at start (version from the family, priority from the
// state, gratuitous ARP timings from global_defs…) are resolved here, so the runtime reads
// plain values. Times are seconds.
import type { Where } from '../health/checker-spec.js';

export type IpFamily = 4 | 6;

/** A script line: argv as keepalived splits it (quotes and escapes honoured). */
export interface ScriptSpec {
  readonly argv: readonly string[];
  /** The words as written in the file. */
  readonly text: string;
  /** Run as this user (and group); unset: global script_user, else root. */
  readonly user?: string;
  readonly group?: string;
}

/** An address line of virtual_ipaddress, virtual_ipaddress_excluded or static_ipaddress. */
export interface IpAddressSpec {
  readonly where: Where;
  /** The address alone (canonical text). */
  readonly ip: string;
  readonly family: IpFamily;
  /** Prefix length: from `/N`, else 32 or 128. */
  readonly prefix: number;
  /** `dev`: unset for a VIP means the instance's interface. */
  readonly dev?: string;
  /** IPv4 broadcast address (`brd +` and `brd -` computed). */
  readonly broadcast?: string;
  /** `scope` as a name (host, link, site, global, nowhere) or a number. */
  readonly scope?: string;
  readonly label?: string;
  readonly peer?: string;
  /** `no_track`: a deleted VIP does not put the instance in fault. */
  readonly noTrack: boolean;
  /** home, -nodad, mngtmpaddr, noprefixroute, autojoin as written. */
  readonly flags: readonly string[];
  readonly preferredLifetime?: number | 'forever';
  readonly useVmac: boolean;
}

export interface RouteSpec {
  readonly where: Where;
  readonly family: IpFamily;
  /** unicast, blackhole, unreachable, prohibit, throw, local, broadcast… */
  readonly type: string;
  /** `default`, or ADDRESS/PREFIX (canonical). */
  readonly destination: string;
  readonly via?: string;
  /** Alternative gateways (`or`, keepalived's older multipath form). */
  readonly nexthops: readonly string[];
  readonly dev?: string;
  readonly src?: string;
  readonly table?: string;
  readonly metric?: number;
  readonly scope?: string;
  readonly protocol?: string;
  readonly noTrack: boolean;
  /** Every other option as written (mtu 1400, onlink, nexthop …). */
  readonly options: readonly string[];
}

export interface RuleSpec {
  readonly where: Where;
  readonly family: IpFamily;
  readonly from?: string;
  readonly to?: string;
  readonly table?: string;
  readonly preference?: number;
  readonly iif?: string;
  readonly oif?: string;
  readonly fwmark?: string;
  /** goto, nop, blackhole, prohibit, unreachable… when not `table`. */
  readonly action?: string;
  readonly noTrack: boolean;
  readonly options: readonly string[];
}

export interface TrackedInterface {
  readonly name: string;
  /** 0: the instance goes to fault while the interface is down. */
  readonly weight: number;
  readonly reverse: boolean;
}

export interface TrackedScript {
  readonly name: string;
  /** The track_script weight, else the vrrp_script's. 0: fault while the script fails. */
  readonly weight: number;
  readonly reverse: boolean;
}

export interface NotifyScripts {
  readonly master?: ScriptSpec;
  readonly backup?: ScriptSpec;
  readonly fault?: ScriptSpec;
  readonly stop?: ScriptSpec;
  /** `notify`: called for every change with TYPE NAME STATE PRIORITY appended. */
  readonly any?: ScriptSpec;
}

export interface VrrpInstanceSpec {
  readonly where: Where;
  readonly name: string;
  /** State to start in: the configured one, else MASTER only for the owner (priority 255). */
  readonly initialState: 'MASTER' | 'BACKUP';
  /** The interface adverts go out of (keepalived 2.2 requires one, unicast or not). */
  readonly interface: string;
  readonly virtualRouterId: number;
  /** 1-255; unset: 255 for state MASTER, else 100 (keepalived's rule). */
  readonly priority: number;
  readonly version: 2 | 3;
  readonly family: IpFamily;
  /** Seconds: whole for version 2, hundredths for version 3. */
  readonly advertInterval: number;
  readonly virtualIpAddresses: readonly IpAddressSpec[];
  readonly excludedIpAddresses: readonly IpAddressSpec[];
  readonly virtualRoutes: readonly RouteSpec[];
  readonly virtualRules: readonly RuleSpec[];
  readonly nopreempt: boolean;
  readonly preemptDelay: number;
  readonly authentication?: { readonly type: 'PASS' | 'AH'; readonly password: string };
  /** mcast_src_ip or unicast_src_ip. */
  readonly sourceIp?: string;
  readonly unicastPeers: readonly {
    readonly ip: string;
    readonly minTtl?: number;
    readonly maxTtl?: number;
  }[];
  readonly unicastTtl?: number;
  /** Multicast destination (mcast_dst_ip, else the global group of the family). */
  readonly mcastGroup: string;
  readonly trackInterfaces: readonly TrackedInterface[];
  readonly trackScripts: readonly TrackedScript[];
  readonly dontTrackPrimary: boolean;
  readonly notify: NotifyScripts;
  readonly smtpAlert: boolean;
  readonly garpMasterDelay: number;
  readonly garpMasterRepeat: number;
  readonly garpMasterRefresh: number;
  readonly garpMasterRefreshRepeat: number;
  readonly garpLowerPrioDelay?: number;
  readonly garpLowerPrioRepeat?: number;
  readonly downTimerAdverts: number;
  /** accept / no_accept; unset: keepalived's default (accept unless strict and not owner). */
  readonly accept?: boolean;
  readonly strictMode: boolean;
  readonly skipCheckAdvAddr: boolean;
  readonly checkUnicastSrc: boolean;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  readonly promoteSecondaries: boolean;
  readonly useVmac: boolean;
  /** The vrrp_sync_group this instance belongs to, if any. */
  readonly syncGroup?: string;
}

export interface VrrpScriptSpec {
  readonly where: Where;
  readonly name: string;
  readonly script: ScriptSpec;
  readonly interval: number;
  /** Unset in the file: the interval. */
  readonly timeout: number;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly rise: number;
  readonly fall: number;
  /** Considered failed until it first succeeds. */
  readonly initFail: boolean;
}

export interface VrrpSyncGroupSpec {
  readonly where: Where;
  readonly name: string;
  /** Member instances, each defined (unknown names are warned about and left out). */
  readonly instances: readonly string[];
  readonly notify: NotifyScripts;
  readonly smtpAlert: boolean;
  readonly trackInterfaces: readonly TrackedInterface[];
  readonly trackScripts: readonly TrackedScript[];
}

export interface VrrpConfig {
  readonly instances: readonly VrrpInstanceSpec[];
  readonly scripts: readonly VrrpScriptSpec[];
  readonly syncGroups: readonly VrrpSyncGroupSpec[];
  readonly staticIpAddresses: readonly IpAddressSpec[];
  readonly staticRoutes: readonly RouteSpec[];
  readonly staticRules: readonly RuleSpec[];
}
