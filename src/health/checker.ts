// One health check attempt against a real server, by each keepalived checker type.

export type CheckResult =
  | {
      readonly ok: true;
      /** MISC_CHECK with misc_dynamic: the server's new weight. */ readonly weight?: number;
    }
  | { readonly ok: false; readonly reason: string };

export interface CheckTarget {
  readonly ip: string;
  readonly port: number;
  readonly bindto?: string;
  /** Milliseconds. */
  readonly timeoutMs: number;
}

export interface Checker {
  readonly type: string;
  /** One attempt; never rejects. */
  check(target: CheckTarget): Promise<CheckResult>;
}

export const ok: CheckResult = { ok: true };

export function failed(reason: string): CheckResult {
  return { ok: false, reason };
}
