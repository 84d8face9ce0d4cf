// The IPv6 forwarders of NAT (DNAT toward the real server, SNAT of its replies) and DR (the
// Ethernet header only), as forward/forwarders.ts for IPv4: the path first — route, MTU on the
// packet as it came (as IPVS's ensure_mtu_is_adequate), next hop by neighbour discovery — then
// the frame rewritten in place (hop limit decremented in NAT) and handed to the sink. GSO
// super-frames keep their virtio_net_hdr (the header lengths do not change); partial checksums
// stay partial. LVS-TUN is in tunnel6.ts.
import { copyMac, Eth, ETH_HLEN } from '../../packet/ethernet.js';
import { Icmp6Type } from '../../packet/icmpv6.js';
import { Ipv6 } from '../../packet/ipv6.js';
import { Cf, Cf6, ConnFlag } from '../conn-layout.js';
import type { FrameFields } from '../frame-fields.js';
import { FwdMethod } from '../model.js';
import { wireIpLen } from '../forward/path.js';
import { DropReason, Verdict } from '../verdict.js';
import type { ForwardContext6 } from './forward-context6.js';
import { sendIcmp6Error } from './icmp6-error.js';
import { pathMtu6, routedDest6, tooBigFromClient6 } from './path6.js';
import { decrementHopLimit, rewriteEndpoint6 } from './rewrite6.js';
import { forwardTunnel6 } from './tunnel6.js';

/** Sends the frame of IPv6 connection `i` on toward its real server, rewritten for its method. */
export function forwardToDest6(
  ctx: ForwardContext6,
  buf: Buffer,
  f: FrameFields,
  i: number,
): Verdict {
  const c = ctx.conns6;
  const dest = routedDest6(ctx, i);
  if (!dest) return Verdict.Drop;
  const method = c.flags(i) & ConnFlag.MethodMask;
  if (method === FwdMethod.Tunnel) return forwardTunnel6(ctx, buf, f, i, dest);
  if (method !== FwdMethod.Masq && method !== FwdMethod.Route) {
    return ctx.drop(DropReason.UnsupportedMethod);
  }
  const mtu = pathMtu6(ctx, dest);
  if (wireIpLen(buf, f) > mtu) return tooBigFromClient6(ctx, buf, f, i, mtu);
  const mac = ctx.neighbours6.mac(dest.nextHop6, 0);
  if (!mac) {
    ctx.neighbours6.request(dest.nextHop6, 0, dest.ifIndex, f.now);
    return ctx.drop(DropReason.NoNeighbour);
  }
  const ifMac = ctx.config.interfaceMac(dest.ifIndex);
  if (!ifMac) return ctx.drop(DropReason.NoInterface);
  // IPVS decrements the hop limit for every method (decrement_ttl in __ip_vs_get_out_rt_v6).
  if (!decrementHopLimit(buf, f.ip)) return ctx.drop(DropReason.TtlExpired);
  if (method === FwdMethod.Masq) {
    rewriteEndpoint6(
      buf,
      f.ip,
      f.l4,
      f.proto,
      'dst',
      f.dst6,
      0,
      c.u,
      c.addrOff(i, Cf6.Daddr),
      f.dstPort,
      c.dport(i),
      f.partialCsum,
    );
  }
  // DR: the IP packet is untouched; the Ethernet header is the director's own.
  copyMac(buf, f.eth + Eth.Dst, mac, 0);
  copyMac(buf, f.eth + Eth.Src, ifMac, 0);
  ctx.emit(buf, f.eth, ETH_HLEN + f.ipLen, dest.ifIndex);
  return Verdict.Forward;
}

/** Sends a real server's reply of IPv6 NAT connection `i` back to the client, from the VIP. */
export function forwardToClient6(
  ctx: ForwardContext6,
  buf: Buffer,
  f: FrameFields,
  i: number,
  inIf: number,
): Verdict {
  const c = ctx.conns6;
  const outIf = c.word(i, Cf.ClientIf);
  // A connection learnt by sync whose client has not been found yet (client-ways.ts).
  if (outIf < 0) return ctx.drop(DropReason.NoNeighbour);
  const ifMac = ctx.config.interfaceMac(outIf);
  if (!ifMac) return ctx.drop(DropReason.NoInterface);
  const mtu = ctx.config.interfaceMtu(outIf);
  if (wireIpLen(buf, f) > mtu) {
    // As the kernel's ip6_forward would: from the director's address toward the server.
    const src = ctx.config.v6.sourceFor(inIf, f.src6, 0);
    if (!src) return ctx.drop(DropReason.TooBig);
    const route = ctx.route6;
    route.src = src;
    route.srcOff = 0;
    route.dst = buf;
    route.dstOff = f.ip + Ipv6.Src;
    route.mac = buf;
    route.macOff = f.eth + Eth.Src;
    route.outIf = inIf;
    return sendIcmp6Error(ctx, buf, f.ip, f.ipLen, route, Icmp6Type.PacketTooBig, 0, mtu, f.now);
  }
  if (!decrementHopLimit(buf, f.ip)) return ctx.drop(DropReason.TtlExpired);
  rewriteEndpoint6(
    buf,
    f.ip,
    f.l4,
    f.proto,
    'src',
    f.src6,
    0,
    c.u,
    c.addrOff(i, Cf6.Vaddr),
    f.srcPort,
    c.vport(i),
    f.partialCsum,
  );
  return moveToClient6(ctx, buf, f, i, ifMac);
}

/** Puts the frame on the wire toward IPv6 connection `i`'s client, the way its frames came. */
export function moveToClient6(
  ctx: ForwardContext6,
  buf: Buffer,
  f: FrameFields,
  i: number,
  ifMac: Buffer,
): Verdict {
  const c = ctx.conns6;
  c.copyClientMac(i, buf, f.eth + Eth.Dst);
  copyMac(buf, f.eth + Eth.Src, ifMac, 0);
  ctx.emit(buf, f.eth, ETH_HLEN + f.ipLen, c.word(i, Cf.ClientIf));
  return Verdict.Forward;
}

/** Puts an already rewritten frame (an ICMPv6 error) on the wire toward connection `i`'s server. */
export function moveToDest6(ctx: ForwardContext6, buf: Buffer, f: FrameFields, i: number): Verdict {
  const dest = routedDest6(ctx, i);
  if (!dest) return Verdict.Drop;
  const mac = ctx.neighbours6.mac(dest.nextHop6, 0);
  if (!mac) {
    ctx.neighbours6.request(dest.nextHop6, 0, dest.ifIndex, f.now);
    return ctx.drop(DropReason.NoNeighbour);
  }
  const ifMac = ctx.config.interfaceMac(dest.ifIndex);
  if (!ifMac) return ctx.drop(DropReason.NoInterface);
  copyMac(buf, f.eth + Eth.Dst, mac, 0);
  copyMac(buf, f.eth + Eth.Src, ifMac, 0);
  ctx.emit(buf, f.eth, ETH_HLEN + f.ipLen, dest.ifIndex);
  return Verdict.Forward;
}
