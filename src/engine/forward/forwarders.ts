// The forwarders of NAT (DNAT toward the real server, SNAT of its replies) and DR (the
// Ethernet header only). Each checks the path first — route, MTU (as IPVS's
// ensure_mtu_is_adequate, on the packet as it came), next hop — then rewrites the frame in
// place and hands it to the sink. LVS-TUN is in tunnel.ts.
import { copyMac, Eth, ETH_HLEN } from '../../packet/ethernet.js';
import { ICMP_CODE_FRAG_NEEDED } from '../../packet/icmp.js';
import { Cf, ConnFlag } from '../conn-layout.js';
import type { FrameFields } from '../frame-fields.js';
import { FwdMethod } from '../model.js';
import { DropReason, Verdict } from '../verdict.js';
import type { ForwardContext } from './forward-context.js';
import { sendIcmpUnreachable } from './icmp-error.js';
import { hasDf, pathMtu, routedDest, tooBigFromClient, wireIpLen } from './path.js';
import { decrementTtl, rewriteEndpoint } from './rewrite.js';
import { forwardTunnel } from './tunnel.js';

/** Sends the frame of connection `i` on toward its real server, rewritten for its method. */
export function forwardToDest(
  ctx: ForwardContext,
  buf: Buffer,
  f: FrameFields,
  i: number,
): Verdict {
  const c = ctx.conns;
  const dest = routedDest(ctx, i);
  if (!dest) return Verdict.Drop;
  const method = c.flags(i) & ConnFlag.MethodMask;
  if (method === FwdMethod.Tunnel) return forwardTunnel(ctx, buf, f, i, dest);
  if (method !== FwdMethod.Masq && method !== FwdMethod.Route) {
    return ctx.drop(DropReason.UnsupportedMethod);
  }
  const mtu = pathMtu(ctx, dest);
  if (wireIpLen(buf, f) > mtu) return tooBigFromClient(ctx, buf, f, i, mtu);
  const mac = ctx.env.neighbourMac(dest.nextHop);
  if (!mac) {
    ctx.env.requestNeighbour(dest.nextHop, dest.ifIndex);
    return ctx.drop(DropReason.NoNeighbour);
  }
  const ifMac = ctx.config.interfaceMac(dest.ifIndex);
  if (!ifMac) return ctx.drop(DropReason.NoInterface);
  // IPVS decrements the TTL for every method (decrement_ttl in __ip_vs_get_out_rt).
  if (!decrementTtl(buf, f.ip)) return ctx.drop(DropReason.TtlExpired);
  if (method === FwdMethod.Masq) {
    rewriteEndpoint(
      buf,
      f.ip,
      f.l4,
      f.proto,
      'dst',
      f.dstAddr,
      c.daddr(i),
      f.dstPort,
      c.dport(i),
      f.partialCsum,
    );
  }
  // DR: the IP packet keeps its addresses; the Ethernet header is the director's own.
  copyMac(buf, f.eth + Eth.Dst, mac, 0);
  copyMac(buf, f.eth + Eth.Src, ifMac, 0);
  ctx.emit(buf, f.eth, ETH_HLEN + f.ipLen, dest.ifIndex);
  return Verdict.Forward;
}

/** Sends a real server's reply of NAT connection `i` back to the client, from the VIP. */
export function forwardToClient(
  ctx: ForwardContext,
  buf: Buffer,
  f: FrameFields,
  i: number,
  inIf: number,
): Verdict {
  const c = ctx.conns;
  const outIf = c.word(i, Cf.ClientIf);
  // A connection learnt by sync whose client has not been found yet (client-ways.ts).
  if (outIf < 0) return ctx.drop(DropReason.NoNeighbour);
  const ifMac = ctx.config.interfaceMac(outIf);
  if (!ifMac) return ctx.drop(DropReason.NoInterface);
  const mtu = ctx.config.interfaceMtu(outIf);
  if (wireIpLen(buf, f) > mtu) {
    // As the kernel's ip_forward would: from the director's address toward the server.
    if (!hasDf(buf, f)) return ctx.drop(DropReason.TooBig);
    const route = ctx.icmpRoute;
    route.from = ctx.config.interfaceAddress(inIf);
    route.to = f.srcAddr;
    route.mac = buf;
    route.macOff = f.eth + Eth.Src;
    route.outIf = inIf;
    return sendIcmpUnreachable(ctx, buf, f.ip, f.ipLen, route, ICMP_CODE_FRAG_NEEDED, mtu, f.now);
  }
  if (!decrementTtl(buf, f.ip)) return ctx.drop(DropReason.TtlExpired);
  rewriteEndpoint(
    buf,
    f.ip,
    f.l4,
    f.proto,
    'src',
    f.srcAddr,
    c.vaddr(i),
    f.srcPort,
    c.vport(i),
    f.partialCsum,
  );
  return moveToClient(ctx, buf, f, i, ifMac);
}

/** Puts the frame on the wire toward connection `i`'s client, the way its frames came. */
export function moveToClient(
  ctx: ForwardContext,
  buf: Buffer,
  f: FrameFields,
  i: number,
  ifMac: Buffer,
): Verdict {
  const c = ctx.conns;
  c.copyClientMac(i, buf, f.eth + Eth.Dst);
  copyMac(buf, f.eth + Eth.Src, ifMac, 0);
  ctx.emit(buf, f.eth, ETH_HLEN + f.ipLen, c.word(i, Cf.ClientIf));
  return Verdict.Forward;
}

/** Puts an already rewritten frame (an ICMP error) on the wire toward connection `i`'s server. */
export function moveToDest(ctx: ForwardContext, buf: Buffer, f: FrameFields, i: number): Verdict {
  const dest = routedDest(ctx, i);
  if (!dest) return Verdict.Drop;
  const mac = ctx.env.neighbourMac(dest.nextHop);
  if (!mac) {
    ctx.env.requestNeighbour(dest.nextHop, dest.ifIndex);
    return ctx.drop(DropReason.NoNeighbour);
  }
  const ifMac = ctx.config.interfaceMac(dest.ifIndex);
  if (!ifMac) return ctx.drop(DropReason.NoInterface);
  copyMac(buf, f.eth + Eth.Dst, mac, 0);
  copyMac(buf, f.eth + Eth.Src, ifMac, 0);
  ctx.emit(buf, f.eth, ETH_HLEN + f.ipLen, dest.ifIndex);
  return Verdict.Forward;
}
