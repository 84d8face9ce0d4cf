// What a keepalived.conf says about virtual servers, real servers and their checkers.

export interface Where {
  readonly file: string;
  readonly line: number;
}

export type CheckerType =
  | 'TCP_CHECK'
  | 'HTTP_GET'
  | 'SSL_GET'
  | 'SMTP_CHECK'
  | 'MISC_CHECK'
  | 'UDP_CHECK'
  | 'PING_CHECK'
  | 'DNS_CHECK';

export interface UrlSpec {
  readonly path: string;
  readonly digest?: string;
  readonly statusCode?: number;
  readonly virtualhost?: string;
}

export interface CheckerSpec {
  readonly type: CheckerType;
  readonly where: Where;
  readonly connectIp?: string;
  readonly connectPort?: number;
  readonly bindto?: string;
  /** Seconds. */
  readonly connectTimeout: number;
  readonly retry: number;
  /** Seconds. */
  readonly delayBeforeRetry: number;
  /** Seconds; a random delay up to it before the first check. */
  readonly warmup: number;
  /** Seconds between checks (the virtual server's delay_loop unless set here). */
  readonly delayLoop: number;
  readonly urls: readonly UrlSpec[];
  readonly virtualhost?: string;
  readonly heloName?: string;
  readonly miscPath?: string;
  /** Seconds. */
  readonly miscTimeout?: number;
  readonly miscDynamic: boolean;
  readonly dnsName?: string;
  readonly dnsType?: string;
  readonly udpPayload?: string;
  readonly requireReply?: string;
}

export interface RealServerSpec {
  readonly where: Where;
  readonly ip: string;
  readonly port: number;
  readonly weight: number;
  readonly inhibitOnFailure: boolean;
  readonly notifyUp?: string;
  readonly notifyDown?: string;
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  /** Forwarding method of this server (keepalived's lvs_method in real_server). */
  readonly method?: 'NAT' | 'DR' | 'TUN';
  readonly checkers: readonly CheckerSpec[];
}

export type VirtualServerKey =
  | { readonly kind: 'addr'; readonly ip: string; readonly port: number }
  | { readonly kind: 'fwmark'; readonly fwmark: number }
  | { readonly kind: 'group'; readonly name: string };

export interface VirtualServerSpec {
  readonly where: Where;
  readonly key: VirtualServerKey;
  readonly delayLoop: number;
  readonly scheduler: string;
  readonly method: 'NAT' | 'DR' | 'TUN';
  readonly protocol: 'tcp' | 'udp';
  readonly persistenceTimeout?: number;
  readonly persistenceGranularity?: string;
  readonly schedFlags: readonly string[];
  readonly quorum: number;
  readonly hysteresis: number;
  readonly quorumUp?: string;
  readonly quorumDown?: string;
  readonly sorryServer?: { readonly ip: string; readonly port: number };
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
}

export interface KeepalivedConfig {
  readonly virtualServers: readonly VirtualServerSpec[];
  readonly groups: ReadonlyMap<string, readonly GroupMember[]>;
  readonly routerId?: string;
  /** Unknown or unsupported keywords: file:line and the reason, not fatal. */
  readonly warnings: readonly string[];
}
