// The IPv6 addresses of this network namespace's interfaces, as `ip -j addr show` reports
// them (interfaces.ts keeps the IPv4 ones): for neighbour discovery's source addresses and
// for what uvs-tun-endpoint accepts as a tunnel's outer destination.
import { IPV6_ALEN, parseIpv6, ipv6Equal, prefixMask } from '../packet/addr.js';
import { run } from './run.js';

export interface Ipv6IfAddress {
  readonly ifIndex: number;
  readonly ifName: string;
  /** 16 bytes. */
  readonly addr: Buffer;
  readonly prefixLen: number;
  /** fe80::/10: used as the source of neighbour solicitations. */
  readonly linkLocal: boolean;
  /** Duplicate address detection still running: not usable as a source yet. */
  readonly tentative: boolean;
  /** Preferred lifetime over (a VIP added with preferred_lft 0): never chosen as a source. */
  readonly deprecated?: boolean;
}

interface AddrJson {
  ifindex: number;
  ifname: string;
  addr_info?: {
    family: string;
    local: string;
    prefixlen: number;
    tentative?: boolean;
    deprecated?: boolean;
  }[];
}

/** Parses `ip -j addr show` output: the inet6 addresses (pure, for tests). */
export function parseIpv6AddrJson(json: string): Ipv6IfAddress[] {
  const rows = JSON.parse(json) as AddrJson[];
  return rows.flatMap((r) =>
    (r.addr_info ?? [])
      .filter((a) => a.family === 'inet6')
      .map((a) => {
        const addr = parseIpv6(a.local);
        return {
          ifIndex: r.ifindex,
          ifName: r.ifname,
          addr,
          prefixLen: a.prefixlen,
          linkLocal: addr[0] === 0xfe && (addr[1]! & 0xc0) === 0x80,
          tentative: a.tentative === true,
          ...(a.deprecated === true ? { deprecated: true } : {}),
        };
      }),
  );
}

export async function readIpv6Addresses(): Promise<Ipv6IfAddress[]> {
  return parseIpv6AddrJson(await run('ip', ['-j', 'addr', 'show']));
}

/** True when the 16 bytes at `buf[off]` are one of `addrs`. Linear: hosts have few addresses. */
export function isLocalIpv6(addrs: readonly Ipv6IfAddress[], buf: Buffer, off: number): boolean {
  for (const a of addrs) if (ipv6Equal(a.addr, 0, buf, off)) return true;
  return false;
}

/** True when `a` and the 16 bytes at `buf[off]` share the first `prefixLen` bits. */
export function inIpv6Prefix(a: Buffer, prefixLen: number, buf: Buffer, off: number): boolean {
  for (let i = 0; i < IPV6_ALEN / 4; i++) {
    const m = prefixMask(Math.min(Math.max(prefixLen - 32 * i, 0), 32));
    if (((a.readUInt32BE(4 * i) ^ buf.readUInt32BE(off + 4 * i)) & m) !== 0) return false;
  }
  return true;
}
