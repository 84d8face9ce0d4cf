// Where packets to an address leave, as the kernel's routing table says (`ip -j route get`).
import { formatIpv4, parseIpv4 } from '../packet/addr.js';
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
