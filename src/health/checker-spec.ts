// What a configured checker is: its type, where it was written, and the settings its
// implementation needs. The keepalived.conf reader builds these; make-checker turns them
// into running checkers. They live here, with the checkers, so that health/ does not
// depend on the configuration reader.

/** A place in a configuration file. */
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

/** An inclusive range of HTTP status codes (`status_code 200-299`). */
export type StatusRange = readonly [first: number, last: number];

export interface UrlSpec {
  readonly path: string;
  /** MD5 of the page, 32 lowercase hex digits. */
  readonly digest?: string;
  /** Set when status_code names exactly one code (the common case). */
  readonly statusCode?: number;
  /**
   * Every code status_code accepts (keepalived 2: `status_code 200-299 302 400-499`). Absent:
   * any 2xx, as keepalived.
   */
  readonly statusCodes?: readonly StatusRange[];
  readonly virtualhost?: string;
}

export interface CheckerSpec {
  readonly type: CheckerType;
  readonly where: Where;
  /** IPv4 or IPv6 address (text; the checker parses it). */
  readonly connectIp?: string;
  readonly connectPort?: number;
  /** Source address, IPv4 or IPv6. */
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
  /** keepalived's per-checker `alpha`: starts failed until it passes (unset: the server's). */
  readonly alpha?: boolean;
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
