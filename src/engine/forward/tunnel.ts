// LVS-TUN: the client's IP packet, its TTL decremented (as every IPVS method does), inside an
// outer IPv4 header (protocol 4, IPIP, RFC 2003) addressed to the real server, as
// ip_vs_tunnel_xmit builds it: TOS (ECN encapsulated), DF and the decremented TTL from the
// inner header, the director's own address as source. The outer header is
// written in the headroom before the frame (packet/frame-layout.ts): nothing moves. A packet that
// would not fit the path once encapsulated, with DF set, is answered with ICMP "fragmentation
// needed" carrying the MTU left for the inner packet (RFC 1191). Checksums leave complete: the
// far end of a tunnel (and a NIC offloading it) cannot be trusted to finish a partial one.
// An IPv6 real server (IPVS allows the other family for tunnels) gets IPv4 in IPv6 (next
// header 4) instead: tunnel-outer.ts.
import { finish, readU16, sum16, writeU16 } from '../../packet/checksum.js';
import { ETH_HLEN } from '../../packet/ethernet.js';
import { IP_DF, Ipv4, IpProto, IPV4_MIN_LEN } from '../../packet/ipv4.js';
import { clearVnetHdr, vnetHdrOf, VnetHdr, vnetU16 } from '../../packet/virtio-net-hdr.js';
import type { FrameFields } from '../frame-fields.js';
import type { LiveDest } from '../live-dest.js';
import { DropReason, Verdict } from '../verdict.js';
import type { ForwardContext } from './forward-context.js';
import { decrementTtl } from './rewrite.js';
import { pathMtu, tooBigFromClient, wireIpLen } from './path.js';
import { tunnelSegments } from './tunnel-gso.js';
import { outerLen, tunnelNextHopMac, writeTunnelHeaders } from './tunnel-outer.js';

export function forwardTunnel(
  ctx: ForwardContext,
  buf: Buffer,
  f: FrameFields,
  i: number,
  dest: LiveDest,
): Verdict {
  // The path MTU as IPVS reads it (dst_mtu), less the outer header.
  const outer = outerLen(dest);
  const room = pathMtu(ctx, dest) - outer;
  if (wireIpLen(buf, f) > room) return tooBigFromClient(ctx, buf, f, i, room);
  const mac = tunnelNextHopMac(ctx.env, ctx.neighbours6, dest, f.now);
  if (!mac) return ctx.drop(DropReason.NoNeighbour);
  const ifMac = ctx.config.interfaceMac(dest.ifIndex);
  if (!ifMac) return ctx.drop(DropReason.NoInterface);
  // IPVS decrements the inner TTL (decrement_ttl) and gives the outer header the result.
  if (!decrementTtl(buf, f.ip)) return ctx.drop(DropReason.TtlExpired);
  const ttl = buf[f.ip + Ipv4.Ttl]!;
  if (f.gsoSize > 0) return tunnelSegments(ctx, buf, f, dest, mac, ifMac);
  if (f.partialCsum) completePartialChecksum(buf, f);
  const inner = f.ipLen;
  const tos = buf[f.ip + Ipv4.Tos]!;
  if (dest.family === 6) {
    const e6 = f.eth - outer;
    writeTunnelHeaders(buf, e6, dest, mac, ifMac, IpProto.IPIP, tos, inner, ttl);
    clearVnetHdr(buf, vnetHdrOf(e6));
    ctx.emit(buf, e6, ETH_HLEN + outer + inner, dest.ifIndex);
    return Verdict.Forward;
  }
  const df = readU16(buf, f.ip + Ipv4.FragOff) & IP_DF;
  // The new frame starts IPV4_MIN_LEN earlier: Ethernet, then the outer header, then the inner
  // packet where it was.
  const e = f.eth - IPV4_MIN_LEN;
  writeTunnelHeaders(buf, e, dest, mac, ifMac, IpProto.IPIP, tos, inner, ttl, df);
  clearVnetHdr(buf, vnetHdrOf(e));
  ctx.emit(buf, e, ETH_HLEN + IPV4_MIN_LEN + inner, dest.ifIndex);
  return Verdict.Forward;
}

/**
 * Completes a partial L4 checksum as a NIC would: sums from csum_start (which includes the
 * pseudo-header sum already in the field) and stores the complement at csum_offset.
 */
export function completePartialChecksum(buf: Buffer, f: FrameFields): void {
  const h = vnetHdrOf(f.eth);
  const start = f.eth + vnetU16(buf, h, VnetHdr.CsumStart);
  const field = start + vnetU16(buf, h, VnetHdr.CsumOffset);
  const end = f.ip + f.ipLen;
  if (start < f.l4 || field + 2 > end) return;
  let csum = finish(sum16(buf, start, end - start));
  if (csum === 0 && f.proto === IpProto.UDP) csum = 0xffff;
  writeU16(buf, field, csum);
  f.partialCsum = false;
}
