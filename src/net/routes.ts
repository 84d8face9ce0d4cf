// Where packets to an address leave, as the kernel's routing table says (`ip -j route get`,
// `ip -j -6 route get` for IPv6).
import { canonicalIpv6, formatIpv4, parseIpv4 } from '../packet/addr.js';
import { HostCommandError, run } from './run.js';

export interface Route {
  readonly ifIndex: number;
  readonly ifName: string;
  /** The gateway, when the address is not on a connected subnet. */
  readonly gateway?: number;
  readonly src?: number;
  /** The route's MTU metric (`ip route … mtu N`), when set: the path is narrower than the link. */
  readonly mtu?: number;
}

interface RouteGetJson {
  dst: string;
  dev: string;
  gateway?: string;
  prefsrc?: string;
  flags?: string[];
  metrics?: { mtu?: number }[];
}

export async function routeTo(
  ip: number,
  ifIndexOf: (name: string) => number | undefined,
): Promise<Route> {
  const text = await run('ip', ['-j', 'route', 'get', formatIpv4(ip)]);
  const [r] = JSON.parse(text) as RouteGetJson[];
  if (!r) throw new HostCommandError(`no route to ${formatIpv4(ip)}`);
  const ifIndex = ifIndexOf(r.dev);
  if (ifIndex === undefined)
    throw new HostCommandError(`route to ${formatIpv4(ip)} uses unknown interface ${r.dev}`);
  const mtu = r.metrics?.find((m) => m.mtu !== undefined)?.mtu;
  if (r.dev === 'lo')
    throw new HostCommandError(`${formatIpv4(ip)} is an address of the director itself`);
  return {
    ifIndex,
    ifName: r.dev,
    ...(r.gateway ? { gateway: parseIpv4(r.gateway) } : {}),
    ...(r.prefsrc ? { src: parseIpv4(r.prefsrc) } : {}),
    ...(mtu !== undefined ? { mtu } : {}),
  };
}

/** A route toward an IPv6 address: addresses as text (canonical), as `ip -6 route get` gives them. */
export interface Route6 {
  readonly ifIndex: number;
  readonly ifName: string;
  readonly gateway?: string;
  readonly src?: string;
  readonly mtu?: number;
}

export async function routeTo6(
  addr: string,
  ifIndexOf: (name: string) => number | undefined,
): Promise<Route6> {
  const text = await run('ip', ['-j', '-6', 'route', 'get', addr]);
  const [r] = JSON.parse(text) as RouteGetJson[];
  if (!r) throw new HostCommandError(`no route to ${addr}`);
  if (r.dev === 'lo') throw new HostCommandError(`${addr} is an address of the director itself`);
  const ifIndex = ifIndexOf(r.dev);
  if (ifIndex === undefined)
    throw new HostCommandError(`route to ${addr} uses unknown interface ${r.dev}`);
  const mtu = r.metrics?.find((m) => m.mtu !== undefined)?.mtu;
  return {
    ifIndex,
    ifName: r.dev,
    ...(r.gateway ? { gateway: canonicalIpv6(r.gateway) } : {}),
    ...(r.prefsrc ? { src: canonicalIpv6(r.prefsrc) } : {}),
    ...(mtu !== undefined ? { mtu } : {}),
  };
}
