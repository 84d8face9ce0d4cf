// The maquettes uvs-lab knows, each under its command name. A new maquette is a table in its
// own file (see maquette.ts) and one entry here: uvs-lab builds its command, `status` finds it.
import {
  drMaquette,
  KEEPALIVED_MAQUETTE,
  NAT_MAQUETTE,
  TUN_MAQUETTE,
  type Maquette,
  type RsMethod,
} from './maquette.js';
import type { CheckResult } from './maquette-check.js';
import { DR6_MAQUETTE, NAT6_MAQUETTE, TUN6_MAQUETTE } from './maquette6.js';
import { checkMaquette6 } from './maquette6-check.js';
import type { Lab } from './lab.js';

export interface MaquetteOptions {
  /** The DR real servers' way of holding the VIP (--rs-method). */
  readonly rsMethod: RsMethod;
}

export interface MaquetteEntry {
  /** The uvs-lab command that builds it. */
  readonly command: string;
  readonly summary: string;
  /** The command takes --rs-method. */
  readonly takesRsMethod?: boolean;
  make(opts: MaquetteOptions): Maquette;
  /** What --check does (default: checkMaquette). */
  readonly check?: (lab: Lab, requests: number) => Promise<CheckResult>;
}

export const MAQUETTES: readonly MaquetteEntry[] = [
  {
    command: 'nat',
    summary:
      "build the LVS-NAT maquette (client, director with VIP 192.168.10.23, S1, S2), run uvsd and the course's uvsadm commands",
    make: () => NAT_MAQUETTE,
  },
  {
    command: 'dr',
    summary:
      "build the LVS-DR maquette (director, S1, S2 on one LAN, VIP 192.168.20.23, client behind a router), with one of the course's three real-server solutions",
    takesRsMethod: true,
    make: (o) => drMaquette(o.rsMethod),
  },
  {
    command: 'keepalived',
    summary:
      'build the NAT maquette with a sorry server and run it from a keepalived.conf (HTTP_GET on S1, TCP_CHECK on S2); --check also stops S1 then S2 to show the checkers and the sorry server',
    make: () => KEEPALIVED_MAQUETTE,
  },
  {
    command: 'tun',
    summary:
      'build the LVS-TUN maquette (real servers on a routed subnet behind IPIP, uvs-tun-endpoint on each)',
    make: () => TUN_MAQUETTE,
  },
  {
    command: 'nat6',
    summary:
      "build the LVS-NAT maquette in IPv6 (VIP 2001:db8:10::23, S1/S2 on 2001:db8:20::/64) and run the course's commands in IPv6",
    make: () => NAT6_MAQUETTE,
    check: checkMaquette6,
  },
  {
    command: 'dr6',
    summary:
      "build the LVS-DR maquette in IPv6 (VIP 2001:db8:20::23 on the director and on the servers' lo) and run the course's commands in IPv6",
    make: () => DR6_MAQUETTE,
    check: checkMaquette6,
  },
  {
    command: 'tun6',
    summary:
      'build a LVS-TUN maquette in IPv6 (real servers on the routed 2001:db8:30::/64 behind IPv6-in-IPv6, uvs-tun-endpoint on each)',
    make: () => TUN6_MAQUETTE,
    check: checkMaquette6,
  },
];

/** The maquette that `uvs-lab <command>` built (its DR variant is the default one). */
export function maquetteByName(name: string): Maquette | undefined {
  const byCommand = MAQUETTES.find((e) => e.command === name);
  const opts = { rsMethod: 'sysctl' as const };
  return (byCommand ?? MAQUETTES.find((e) => e.make(opts).name === name))?.make(opts);
}
