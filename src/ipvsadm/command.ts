// A parsed uvsadm (ipvsadm) command line.
import type { DestSpec, ServiceKey, ServiceSpec, TimeoutsView } from '../engine/model.js';
import { canonicalIpv6, isIpv6 } from '../packet/addr.js';
import type { SyncDaemonRequest } from '../sync/sync-config.js';

/** A firewall-mark service of IPv6 packets (`-f mark -6`): ServiceKey with its family set. */
export type Fwmark6Key = Extract<ServiceKey, { kind: 'fwmark' }> & { readonly family: 'inet6' };

/** The address family of a service: its VIP's, or IPv6 for a `-6` firewall-mark service. */
export function serviceFamily(key: ServiceKey): 4 | 6 {
  if (key.kind === 'fwmark') return key.family === 'inet6' ? 6 : 4;
  return isIpv6(key.vip) ? 6 : 4;
}

/** Listing format flags, as ipvsadm's FMT_* flags. */
export interface ListFormat {
  readonly numeric: boolean;
  readonly stats: boolean;
  readonly rate: boolean;
  readonly thresholds: boolean;
  readonly persistentConn: boolean;
  readonly exact: boolean;
  readonly nosort: boolean;
}

export type Command =
  | { readonly kind: 'add-service'; readonly spec: ServiceSpec }
  | { readonly kind: 'edit-service'; readonly spec: ServiceSpec }
  | { readonly kind: 'delete-service'; readonly key: ServiceKey }
  | { readonly kind: 'flush' }
  | { readonly kind: 'add-server'; readonly key: ServiceKey; readonly dest: DestSpec }
  | { readonly kind: 'edit-server'; readonly key: ServiceKey; readonly dest: DestSpec }
  | {
      readonly kind: 'delete-server';
      readonly key: ServiceKey;
      readonly addr: string;
      readonly port: number;
    }
  | { readonly kind: 'list'; readonly format: ListFormat; readonly key?: ServiceKey }
  | { readonly kind: 'list-connections'; readonly format: ListFormat }
  | { readonly kind: 'list-timeout' }
  | { readonly kind: 'list-daemon' }
  | { readonly kind: 'zero'; readonly key?: ServiceKey }
  | { readonly kind: 'set-timeout'; readonly timeouts: TimeoutsView }
  | { readonly kind: 'save'; readonly format: ListFormat }
  | { readonly kind: 'restore' }
  | { readonly kind: 'start-daemon'; readonly daemon: SyncDaemonRequest }
  | { readonly kind: 'stop-daemon'; readonly state: 'master' | 'backup' }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' };

/** One service named two ways: same kind, protocol, port, family, and address (IPv6 text in any form). */
export function sameServiceKey(a: ServiceKey, b: ServiceKey): boolean {
  if (serviceFamily(a) !== serviceFamily(b)) return false;
  if (a.kind === 'fwmark' || b.kind === 'fwmark')
    return a.kind === b.kind && a.kind === 'fwmark' && b.kind === 'fwmark' && a.fwmark === b.fwmark;
  const addr = (k: typeof a): string => (isIpv6(k.vip) ? canonicalIpv6(k.vip) : k.vip);
  return a.proto === b.proto && a.port === b.port && addr(a) === addr(b);
}

/** A command-line error: ipvsadm's message and exit status (2 for fail(), 255 for -1). */
export class UsageError extends Error {
  readonly code = 'E_USAGE';
  constructor(
    message: string,
    readonly exitCode: number,
    /** Print "Try `uvsadm -h' …" instead of (or after) the message. */
    readonly tryHelp = false,
  ) {
    super(message);
  }
}

/** ipvsadm's fail(2, …): a usage error with exit status 2. */
export function fail(message: string): never {
  throw new UsageError(message, 2);
}
