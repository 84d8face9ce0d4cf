// The configuration model that uvsadm commands (and, later, keepalived.conf) edit, and the
// views that listings are printed from. Plain data: no I/O, no engine internals.
// Addresses are text at this edge (IPv4 dotted quads, IPv6 in any inet_pton form; the family is
// told by the text); the engine turns them into uint32 words.

/** Forwarding methods, numbered as IPVS numbers them (IP_VS_CONN_F_MASQ…DROUTE). */
export const enum FwdMethod {
  Masq = 0,
  Local = 1,
  Tunnel = 2,
  Route = 3,
}

export type ProtoName = 'tcp' | 'udp';

/** Identifies a virtual service: (protocol, VIP, port), or a firewall mark. */
export type ServiceKey =
  | {
      readonly kind: 'addr';
      readonly proto: ProtoName;
      readonly vip: string;
      readonly port: number;
    }
  | {
      readonly kind: 'fwmark';
      readonly fwmark: number;
      /** `-6`: a firewall-mark service of IPv6 packets (absent: IPv4), as ipvsadm's af. */
      readonly family?: 'inet6';
    };

export interface PersistenceSpec {
  /** Seconds; ipvsadm's default when -p is given without a value is 300. */
  readonly timeout: number;
  /**
   * Persistence granularity (-M): a dotted-quad netmask for IPv4 (default 255.255.255.255), a
   * prefix length for IPv6 ("128" by default, "64"…).
   */
  readonly netmask: string;
}

export interface ServiceSpec {
  readonly key: ServiceKey;
  /** Scheduler name as ipvsadm spells it: rr, wrr, lc, wlc (default)… */
  readonly scheduler: string;
  readonly persistence?: PersistenceSpec;
  /** Scheduler flags (-b): sh-fallback, sh-port, … */
  readonly schedFlags?: readonly string[];
}

export interface DestSpec {
  readonly addr: string;
  /** Real port; for DR/TUN ipvsadm forces it to the virtual port. */
  readonly port: number;
  readonly method: FwdMethod;
  readonly weight: number;
  /** -x: upper connection threshold, 0 = none. */
  readonly upperThreshold: number;
  /** -y: lower connection threshold, 0 = none. */
  readonly lowerThreshold: number;
}

/** Counters as ipvsadm --stats prints them. */
export interface StatsView {
  readonly conns: number;
  readonly inPkts: number;
  readonly outPkts: number;
  readonly inBytes: number;
  readonly outBytes: number;
}

/** Rates as ipvsadm --rate prints them (per second, estimated). */
export interface RateView {
  readonly cps: number;
  readonly inPps: number;
  readonly outPps: number;
  readonly inBps: number;
  readonly outBps: number;
}

export interface DestView extends DestSpec {
  readonly activeConns: number;
  readonly inactiveConns: number;
  readonly persistentConns: number;
  readonly stats: StatsView;
  readonly rate: RateView;
}

export interface ServiceView extends ServiceSpec {
  readonly dests: readonly DestView[];
  readonly stats: StatsView;
  readonly rate: RateView;
}

/** TCP connection states, named as ipvsadm -Lc prints them. */
export type ConnStateName =
  | 'NONE'
  | 'ESTABLISHED'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'FIN_WAIT'
  | 'TIME_WAIT'
  | 'CLOSE'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'LISTEN'
  | 'SYNACK'
  /** UDP connections (ipvsadm prints "UDP"). */
  | 'UDP'
  /** Persistence templates (ipvsadm prints "NONE" for them, protocol "IP" for fwmark). */
  | 'TEMPLATE';

export interface ConnView {
  /** 'IP' for a fwmark persistence template, as ipvsadm prints it. */
  readonly proto: 'TCP' | 'UDP' | 'IP';
  /** Milliseconds left before expiry. */
  readonly expiresMs: number;
  readonly state: ConnStateName;
  readonly clientAddr: string;
  readonly clientPort: number;
  readonly virtualAddr: string;
  readonly virtualPort: number;
  readonly destAddr: string;
  readonly destPort: number;
  readonly isTemplate: boolean;
}

/** IPVS timeouts that --set edits, in seconds (0 in --set means "unchanged"). */
export interface TimeoutsView {
  readonly tcp: number;
  readonly tcpFin: number;
  readonly udp: number;
}

/** Error of the control plane, with a stable code and ipvsadm's wording where it has one. */
export class ControlError extends Error {
  constructor(
    readonly code:
      | 'E_SERVICE_EXISTS'
      | 'E_NO_SERVICE'
      | 'E_DEST_EXISTS'
      | 'E_NO_DEST'
      | 'E_NO_SCHEDULER'
      | 'E_INVALID'
      | 'E_INTERNAL',
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

// DirectorControl, what the control socket can ask of the director, is in
// src/control/director-control.ts (the engine does not use it).
