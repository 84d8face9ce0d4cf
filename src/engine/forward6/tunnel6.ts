// LVS-TUN for IPv6 services: the client's IPv6 packet, its hop limit decremented, inside an outer header to the
// real server — IPv6 in IPv6 (next header 41, RFC 2473) for an IPv6 server, IPv6 in IPv4
// (protocol 41) for an IPv4 one — written in the headroom before the frame (packet/frame-layout.ts):
// nothing moves. A packet that would not fit the path once encapsulated gets "packet too big"
// with the MTU left for the inner packet. Checksums leave complete (a partial one is finished
// first): the far end of a tunnel cannot be trusted to finish it. Super-frames: tunnel6-gso.ts.
import { Ipv6, ipv6TrafficClass, NextHeader } from '../../packet/ipv6.js';
import { decrementHopLimit } from './rewrite6.js';
import { ETH_HLEN } from '../../packet/ethernet.js';
import { clearVnetHdr, vnetHdrOf } from '../../packet/virtio-net-hdr.js';
import type { FrameFields } from '../frame-fields.js';
import type { LiveDest } from '../live-dest.js';
import { wireIpLen } from '../forward/path.js';
import { completePartialChecksum } from '../forward/tunnel.js';
import { DropReason, Verdict } from '../verdict.js';
import type { ForwardContext6 } from './forward-context6.js';
import { pathMtu6, tooBigFromClient6 } from './path6.js';
import { outerLen, tunnelNextHopMac, writeTunnelHeaders } from '../forward/tunnel-outer.js';
import { tunnelSegments6 } from './tunnel6-gso.js';

export function forwardTunnel6(
  ctx: ForwardContext6,
  buf: Buffer,
  f: FrameFields,
  i: number,
  dest: LiveDest,
): Verdict {
  const outer = outerLen(dest);
  const room = pathMtu6(ctx, dest) - outer;
  if (wireIpLen(buf, f) > room) return tooBigFromClient6(ctx, buf, f, i, room);
  const mac = tunnelNextHopMac(ctx.env, ctx.neighbours6, dest, f.now);
  if (!mac) return ctx.drop(DropReason.NoNeighbour);
  const ifMac = ctx.config.interfaceMac(dest.ifIndex);
  if (!ifMac) return ctx.drop(DropReason.NoInterface);
  // IPVS decrements the inner hop limit (decrement_ttl) and gives the outer header the result.
  if (!decrementHopLimit(buf, f.ip)) return ctx.drop(DropReason.TtlExpired);
  if (f.gsoSize > 0) return tunnelSegments6(ctx, buf, f, dest, mac, ifMac);
  if (f.partialCsum) completePartialChecksum(buf, f);
  // The new frame starts `outer` bytes earlier: Ethernet, the outer header, then the inner
  // packet where it was.
  const e = f.eth - outer;
  writeTunnelHeaders(
    buf,
    e,
    dest,
    mac,
    ifMac,
    NextHeader.IPv6,
    ipv6TrafficClass(buf, f.ip),
    f.ipLen,
    buf[f.ip + Ipv6.HopLimit]!,
  );
  clearVnetHdr(buf, vnetHdrOf(e));
  ctx.emit(buf, e, ETH_HLEN + outer + f.ipLen, dest.ifIndex);
  return Verdict.Forward;
}
