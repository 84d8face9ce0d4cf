// What every forwarder checks of the path toward a real server before it touches a frame: the
// route, the MTU (as IPVS's ensure_mtu_is_adequate, on the packet as it came), and the answer
// to a DF packet too big for it.
import { readU16 } from '../../packet/checksum.js';
import { ICMP_CODE_FRAG_NEEDED } from '../../packet/icmp.js';
import { IP_DF, Ipv4, IpProto } from '../../packet/ipv4.js';
import { Tcp } from '../../packet/tcp.js';
import { UDP_HLEN } from '../../packet/udp.js';
import { Cf } from '../conn-layout.js';
import type { FrameFields } from '../frame-fields.js';
import type { LiveDest } from '../live-dest.js';
import { DropReason, type Verdict } from '../verdict.js';
import type { ForwardContext } from './forward-context.js';
import { sendIcmpUnreachable } from './icmp-error.js';

/** The MTU toward a real server: the route's when it is set and smaller, else the link's. */
export function pathMtu(ctx: ForwardContext, dest: LiveDest): number {
  const link = ctx.config.interfaceMtu(dest.ifIndex);
  return dest.routeMtu > 0 ? Math.min(dest.routeMtu, link) : link;
}

/** IP bytes per packet on the wire: the IP length, or one segment's for a GSO super-frame. */
export function wireIpLen(buf: Buffer, f: FrameFields): number {
  if (f.gsoSize === 0) return f.ipLen;
  const l4Header = f.proto === IpProto.TCP ? (buf[f.l4 + Tcp.DataOff]! >>> 4) * 4 : UDP_HLEN;
  return Math.min(f.ipLen, f.l4 - f.ip + l4Header + f.gsoSize);
}

export function hasDf(buf: Buffer, f: FrameFields): boolean {
  return (readU16(buf, f.ip + Ipv4.FragOff) & IP_DF) !== 0;
}

/** The real server of connection `i`, with a route; undefined (and counted) when there is none. */
export function routedDest(ctx: ForwardContext, i: number): LiveDest | undefined {
  const dest = ctx.config.destsById[ctx.conns.word(i, Cf.DestId)];
  if (!dest || dest.ifIndex < 0) {
    ctx.drop(DropReason.NoRoute);
    return undefined;
  }
  return dest;
}

/**
 * A client's packet too big for the path to the real server: "fragmentation needed" back to the
 * client from the VIP when DF is set (uvs never fragments: without DF the packet is dropped).
 */
export function tooBigFromClient(
  ctx: ForwardContext,
  buf: Buffer,
  f: FrameFields,
  i: number,
  mtu: number,
): Verdict {
  if (!hasDf(buf, f)) return ctx.drop(DropReason.TooBig);
  const c = ctx.conns;
  c.copyClientMac(i, ctx.macScratch, 0);
  const route = ctx.icmpRoute;
  route.from = f.dstAddr;
  route.to = f.srcAddr;
  route.mac = ctx.macScratch;
  route.macOff = 0;
  route.outIf = c.word(i, Cf.ClientIf);
  return sendIcmpUnreachable(ctx, buf, f.ip, f.ipLen, route, ICMP_CODE_FRAG_NEEDED, mtu, f.now);
}
