// The interfaces of this network namespace, as `ip -j addr show` reports them.
import { parseIpv4, parseMac } from '../packet/addr.js';
import { parseIpv6AddrJson, type Ipv6IfAddress } from './interface-addrs6.js';
import { run } from './run.js';

export interface Ipv4Address {
  readonly addr: number;
  readonly prefixLen: number;
}

export interface Interface {
  readonly name: string;
  readonly ifIndex: number;
  readonly mac: Buffer;
  readonly mtu: number;
  readonly up: boolean;
  readonly loopback: boolean;
  readonly addrs: readonly Ipv4Address[];
}

interface IpAddrJson {
  ifindex: number;
  ifname: string;
  mtu: number;
  flags?: string[];
  link_type?: string;
  address?: string;
  operstate?: string;
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

/** Parses `ip -j addr show` output (pure, for tests). */
export function parseIpAddrJson(json: string): Interface[] {
  const rows = JSON.parse(json) as IpAddrJson[];
  return rows.map((r) => ({
    name: r.ifname,
    ifIndex: r.ifindex,
    mac:
      r.address && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(r.address)
        ? parseMac(r.address)
        : Buffer.alloc(6),
    mtu: r.mtu,
    up: (r.flags ?? []).includes('UP'),
    loopback: r.link_type === 'loopback' || (r.flags ?? []).includes('LOOPBACK'),
    addrs: (r.addr_info ?? [])
      .filter((a) => a.family === 'inet')
      .map((a) => ({ addr: parseIpv4(a.local), prefixLen: a.prefixlen })),
  }));
}

export class InterfaceTable {
  private byIndex = new Map<number, Interface>();
  private byName = new Map<string, Interface>();
  private local = new Set<number>();
  private v6: readonly Ipv6IfAddress[] = [];

  async refresh(): Promise<void> {
    const json = await run('ip', ['-j', 'addr', 'show']);
    this.set(parseIpAddrJson(json), parseIpv6AddrJson(json));
  }

  set(list: readonly Interface[], addrs6: readonly Ipv6IfAddress[] = []): void {
    this.v6 = addrs6;
    this.byIndex = new Map(list.map((i) => [i.ifIndex, i]));
    this.byName = new Map(list.map((i) => [i.name, i]));
    this.local = new Set(list.flatMap((i) => i.addrs.map((a) => a.addr)));
  }

  all(): Interface[] {
    return [...this.byIndex.values()];
  }

  get(ifIndex: number): Interface | undefined {
    return this.byIndex.get(ifIndex);
  }

  named(name: string): Interface | undefined {
    return this.byName.get(name);
  }

  isLocalAddress(ip: number): boolean {
    return this.local.has(ip);
  }

  localAddresses(): number[] {
    return [...this.local];
  }

  /** The IPv6 addresses of every interface (interface-addrs6.ts). */
  addresses6(): readonly Ipv6IfAddress[] {
    return this.v6;
  }
}
