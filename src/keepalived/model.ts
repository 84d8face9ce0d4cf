// What a keepalived.conf says: virtual servers, real servers and their checkers (the
// checker specs live in health/), global_defs, and the VRRP side (vrrp-model.ts). Addresses
// are text, checked as IPv4 or IPv6 (IPv6 in its canonical lowercase compressed form); the
// engine parses them.
import type { CheckerSpec, Where } from '../health/checker-spec.js';
import type { GlobalDefs } from './global-model.js';
import type { VrrpConfig } from './vrrp-model.js';

export type {
  CheckerSpec,
  CheckerType,
  StatusRange,
  UrlSpec,
  Where,
} from '../health/checker-spec.js';

export type LvsMethod = 'NAT' | 'DR' | 'TUN';

export interface RealServerSpec {
  readonly where: Where;
  /** IPv4 or IPv6. */
  readonly ip: string;
  readonly port: number;
  readonly weight: number;
  readonly inhibitOnFailure: boolean;
  readonly notifyUp?: string;
  readonly notifyDown?: string;
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  /** Forwarding method of this server (keepalived's lvs_method in real_server). */
  readonly method?: LvsMethod;
  /** keepalived's real_server `alpha` (unset: the virtual server's). */
  readonly alpha?: boolean;
  readonly checkers: readonly CheckerSpec[];
}

export type VirtualServerKey =
  | { readonly kind: 'addr'; readonly ip: string; readonly port: number }
  | { readonly kind: 'fwmark'; readonly fwmark: number }
  | { readonly kind: 'group'; readonly name: string };

export interface SorryServerSpec {
  readonly ip: string;
  readonly port: number;
  /** sorry_server_lvs_method (unset: the virtual server's). */
  readonly method?: LvsMethod;
}

export interface VirtualServerSpec {
  readonly where: Where;
  readonly key: VirtualServerKey;
  readonly delayLoop: number;
  readonly scheduler: string;
  readonly method: LvsMethod;
  readonly protocol: 'tcp' | 'udp';
  /** ip_family, or the family of the address key; unset for a fwmark without addresses. */
  readonly family?: 4 | 6;
  readonly persistenceTimeout?: number;
  /** A netmask for IPv4 (255.255.255.0), a prefix length for IPv6 ("64"). */
  readonly persistenceGranularity?: string;
  readonly schedFlags: readonly string[];
  readonly quorum: number;
  readonly hysteresis: number;
  readonly quorumUp?: string;
  readonly quorumDown?: string;
  readonly sorryServer?: SorryServerSpec;
  readonly sorryServerInhibit: boolean;
  readonly virtualhost?: string;
  readonly alpha: boolean;
  readonly omega: boolean;
  readonly haSuspend: boolean;
  readonly realServers: readonly RealServerSpec[];
}

export interface GroupMember {
  readonly kind: 'addr' | 'fwmark';
  readonly ip?: string;
  readonly port?: number;
  readonly fwmark?: number;
  /** `fwmark N inet6`: the mark's family (unset: the virtual server's). */
  readonly family?: 4 | 6;
}

/** keepalived's SSL block (certificates for SSL_GET). */
export interface SslSpec {
  readonly password?: string;
  readonly ca?: string;
  readonly certificate?: string;
  readonly key?: string;
}

/**
 * Something the reader noted without refusing the file. `warning`: keepalived complains
 * about it too (its `-t` fails); `notice`: keepalived accepts it, uvs does not act on it.
 * `endLine` is set when the note is about a whole block (its closing line).
 */
export interface Diagnostic {
  readonly kind: 'warning' | 'notice';
  readonly file: string;
  readonly line: number;
  readonly endLine?: number;
  readonly message: string;
}

/** An interface name the file uses, and where (for the host checks of `uvsd -t`). */
export interface InterfaceRef {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** What uses it: "vrrp_instance VI_1", "track_interface of VI_1", "route"… */
  readonly what: string;
}

export interface KeepalivedConfig {
  readonly virtualServers: readonly VirtualServerSpec[];
  readonly groups: ReadonlyMap<string, readonly GroupMember[]>;
  readonly routerId?: string;
  readonly global: GlobalDefs;
  readonly vrrp: VrrpConfig;
  readonly ssl?: SslSpec;
  readonly interfaceRefs: readonly InterfaceRef[];
  /** keepalived's net_namespace: the namespace keepalived would run in (uvs does not switch). */
  readonly netNamespace?: string;
  /** Every diagnostic as `file:line: message`, warnings and notices, in file order. */
  readonly warnings: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}
