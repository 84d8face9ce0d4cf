// What the keepalived runner shows of its virtual servers, real servers and checkers: for
// SIGUSR1's state dump and for naming them in log lines.
import type { CheckerStatus } from '../health/checker-status.js';
import type { VirtualServerKey } from './model.js';

export type { CheckerStatus };

export interface RealServerStatus {
  readonly addr: string;
  readonly port: number;
  /** The configured weight, or the one a MISC_CHECK with misc_dynamic set. */
  readonly weight: number;
  readonly up: boolean;
  readonly checkers: readonly CheckerStatus[];
}

export interface VirtualServerStatus {
  /** As keepalived.conf names it: "192.168.10.23 80", "fwmark 1", "group web". */
  readonly name: string;
  readonly quorumUp: boolean;
  readonly realServers: readonly RealServerStatus[];
  /** "ip:port" of the sorry server, if any. */
  readonly sorryServer?: string;
}

/** The virtual server as its keepalived.conf line names it. */
export function virtualServerName(key: VirtualServerKey): string {
  switch (key.kind) {
    case 'addr':
      return `${key.ip} ${key.port}`;
    case 'fwmark':
      return `fwmark ${key.fwmark}`;
    case 'group':
      return `group ${key.name}`;
  }
}
