// A checker's state as the monitor reports it (SIGUSR1's dump, log lines).

export interface CheckerStatus {
  readonly type: string;
  readonly up: boolean;
  /** Why it is down, or what passed ("" before the first check). */
  readonly reason: string;
}

/** A checker's failure reason that names the checker ("TCP_CHECK: 10.0.0.1:80: ECONNREFUSED"). */
export function namedReason(type: string, reason: string): string {
  return reason.startsWith(type) ? reason : `${type}: ${reason}`;
}
