// The director's host as a replay knows it: its interfaces (name, MAC, addresses), its
// neighbours and its routes, given on the command line or learnt from the capture. It is the
// engine's EngineEnv, and answers where each real server is reached.
import type { EngineEnv } from '../engine/engine-env.js';
import type { HostFacts } from '../engine/snapshot.js';
import { formatIpv4, formatMac, prefixMask } from '../packet/addr.js';

export interface Prefix {
  readonly addr: number;
  readonly len: number;
}

export const inPrefix = (ip: number, p: Prefix): boolean =>
  ((ip ^ p.addr) & prefixMask(p.len)) === 0;

export interface ReplayInterface {
  /** The engine's interface index (1-based position). */
  readonly ifIndex: number;
  readonly name: string;
  mac: Buffer | undefined;
  /** How the MAC was known: "given", "from pcapng", or "learnt (…)". */
  macSource: string;
  /** The director's addresses on it; learnt ones have prefix length 32. */
  readonly addrs: Prefix[];
  /** Addresses seen as the IPv4 source of frames received on it (who lives behind it). */
  readonly seenSources: Set<number>;
}

export interface Neighbour {
  readonly mac: Buffer;
  /** Where it was learnt; undefined for --neighbour. */
  readonly ifIndex: number | undefined;
}

export interface Route {
  readonly dst: Prefix;
  readonly gateway: number;
}

/** Where frames to a real server leave. */
export interface Placement {
  readonly ifIndex: number;
  readonly nextHop: number;
  readonly tunnelSrc: number;
}

export class ReplayHost implements EngineEnv {
  readonly interfaces: ReplayInterface[] = [];
  readonly neighbours = new Map<number, Neighbour>();
  readonly routes: Route[] = [];
  /** Next hops the engine asked for and nobody knew. */
  readonly unresolved = new Set<number>();
  mtu = 1500;

  addInterface(name: string): ReplayInterface {
    const existing = this.named(name);
    if (existing) return existing;
    const i: ReplayInterface = {
      ifIndex: this.interfaces.length + 1,
      name,
      mac: undefined,
      macSource: 'unknown',
      addrs: [],
      seenSources: new Set(),
    };
    this.interfaces.push(i);
    return i;
  }

  named(name: string): ReplayInterface | undefined {
    return this.interfaces.find((i) => i.name === name);
  }

  // The engine passes addresses as signed 32-bit words; this table keys them unsigned.
  neighbourMac(ip: number): Buffer | undefined {
    return this.neighbours.get(ip >>> 0)?.mac;
  }
  requestNeighbour(ip: number): void {
    this.unresolved.add(ip >>> 0);
  }
  /** The interfaces and local addresses, as the director's configuration snapshot takes them. */
  facts(): HostFacts {
    return {
      interfaces: this.interfaces
        .filter((i) => i.mac !== undefined)
        .map((i) => ({
          ifIndex: i.ifIndex,
          mac: [...i.mac!],
          mtu: this.mtu,
          address: i.addrs[0]?.addr ?? 0,
        })),
      localAddresses: this.interfaces.flatMap((i) => i.addrs.map((a) => a.addr)),
      markIfIndex: -1,
    };
  }

  /** The interface toward `ip`: a given prefix, else where it was learnt or seen, else the only one. */
  private interfaceToward(ip: number): ReplayInterface | undefined {
    const byPrefix = this.interfaces.find((i) =>
      i.addrs.some((a) => a.len < 32 && inPrefix(ip, a)),
    );
    if (byPrefix) return byPrefix;
    const learnt = this.neighbours.get(ip)?.ifIndex;
    if (learnt !== undefined) return this.interfaces[learnt - 1];
    const seen = this.interfaces.find((i) => i.seenSources.has(ip));
    if (seen) return seen;
    return this.interfaces.length === 1 ? this.interfaces[0] : undefined;
  }

  /** Where a real server at `ip` is reached, or why it cannot be. */
  place(ip: number): Placement | string {
    const route = [...this.routes]
      .sort((a, b) => b.dst.len - a.dst.len)
      .find((r) => inPrefix(ip, r.dst));
    const nextHop = route?.gateway ?? ip;
    const iface = this.interfaceToward(nextHop);
    if (!iface)
      return `no interface toward ${formatIpv4(nextHop)}: give --interface NAME=MAC,IP/PREFIX or --route`;
    return { ifIndex: iface.ifIndex, nextHop, tunnelSrc: iface.addrs[0]?.addr ?? 0 };
  }

  /** One line per interface and neighbour: what the replay ran with, and where it came from. */
  describe(): string[] {
    const lines = this.interfaces.map(
      (i) =>
        `interface ${i.name}: MAC ${i.mac ? formatMac(i.mac) : 'unknown'} (${i.macSource})${
          i.addrs.length > 0
            ? `, addresses ${i.addrs.map((a) => `${formatIpv4(a.addr)}${a.len < 32 ? `/${a.len}` : ''}`).join(' ')}`
            : ''
        }`,
    );
    for (const [ip, n] of this.neighbours)
      lines.push(
        `neighbour ${formatIpv4(ip)} is-at ${formatMac(n.mac)}${n.ifIndex !== undefined ? ` on ${this.interfaces[n.ifIndex - 1]?.name ?? '?'} (ARP in the capture)` : ' (given)'}`,
      );
    for (const r of this.routes)
      lines.push(`route ${formatIpv4(r.dst.addr)}/${r.dst.len} via ${formatIpv4(r.gateway)}`);
    return lines;
  }
}
