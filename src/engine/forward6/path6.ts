// What every IPv6 forwarder checks of the path toward a real server before it touches a frame:
// the route, the MTU, and the answer to a packet too big for it. IPv6 routers never fragment
// (RFC 8200 section 5): a packet that does not fit gets "packet too big" with the MTU, always
// (unless the rate limit holds it back), as IPVS's ensure_mtu_is_adequate does for IPv6.
import { Ipv6 } from '../../packet/ipv6.js';
import { Icmp6Type } from '../../packet/icmpv6.js';
import { Cf } from '../conn-layout.js';
import type { FrameFields } from '../frame-fields.js';
import type { LiveDest } from '../live-dest.js';
import { DropReason, type Verdict } from '../verdict.js';
import type { ForwardContext6 } from './forward-context6.js';
import { sendIcmp6Error } from './icmp6-error.js';

/** The MTU toward a real server: the route's (or a learnt path MTU) when smaller, else the link's. */
export function pathMtu6(ctx: ForwardContext6, dest: LiveDest): number {
  const link = ctx.config.interfaceMtu(dest.ifIndex);
  return dest.routeMtu > 0 ? Math.min(dest.routeMtu, link) : link;
}

/** The real server of IPv6 connection `i`, with a route; undefined (and counted) otherwise. */
export function routedDest6(ctx: ForwardContext6, i: number): LiveDest | undefined {
  const dest = ctx.config.destsById[ctx.conns6.word(i, Cf.DestId)];
  if (!dest || dest.ifIndex < 0) {
    ctx.drop(DropReason.NoRoute);
    return undefined;
  }
  return dest;
}

/** A client's packet too big for the path to the real server: "packet too big" from the VIP. */
export function tooBigFromClient6(
  ctx: ForwardContext6,
  buf: Buffer,
  f: FrameFields,
  i: number,
  mtu: number,
): Verdict {
  const c = ctx.conns6;
  c.copyClientMac(i, ctx.macScratch, 0);
  const route = ctx.route6;
  route.src = buf;
  route.srcOff = f.ip + Ipv6.Dst;
  route.dst = buf;
  route.dstOff = f.ip + Ipv6.Src;
  route.mac = ctx.macScratch;
  route.macOff = 0;
  route.outIf = c.word(i, Cf.ClientIf);
  return sendIcmp6Error(ctx, buf, f.ip, f.ipLen, route, Icmp6Type.PacketTooBig, 0, mtu, f.now);
}
