// ICMP errors about a connection (port unreachable, fragmentation needed…), rewritten as
// IPVS does (ip_vs_in_icmp / ip_vs_out_icmp): the outer header follows the connection,
// the quoted packet inside is rewritten to what its receiver knows, and the ICMP checksum
// is recomputed over the whole message.
import { readIpv4Bits } from '../../packet/addr.js';
import { finish, readU16, sum16, writeU16 } from '../../packet/checksum.js';
import { ICMP_CODE_FRAG_NEEDED, Icmp, IcmpType } from '../../packet/icmp.js';
import { Ipv4, ipv4HeaderLen, IpProto, IPV4_MIN_LEN } from '../../packet/ipv4.js';
import { Cf, ConnFlag } from '../conn-layout.js';
import type { FrameFields } from '../frame-fields.js';
import { FwdMethod } from '../model.js';
import { DropReason, Verdict } from '../verdict.js';
import type { ForwardContext } from './forward-context.js';
import { moveToClient, moveToDest } from './forwarders.js';
import { sendIcmpUnreachable } from './icmp-error.js';
import { routedDest } from './path.js';
import { decrementTtl, setIpAddr } from './rewrite.js';
import { forwardTunnel } from './tunnel.js';

function fixIcmpChecksum(buf: Buffer, icmp: number, end: number): void {
  writeU16(buf, icmp + Icmp.Csum, 0);
  writeU16(buf, icmp + Icmp.Csum, finish(sum16(buf, icmp, end - icmp)));
}

export function forwardIcmpRelated(ctx: ForwardContext, buf: Buffer, f: FrameFields): Verdict {
  const end = f.ip + f.ipLen;
  const q = f.l4 + Icmp.Quoted;
  const qihl = ipv4HeaderLen(buf, q, end);
  if (qihl === undefined) return ctx.notOurs();
  const qproto = buf[q + Ipv4.Proto]!;
  if (qproto === IpProto.IPIP) return relayTunnelFragNeeded(ctx, buf, f, q, qihl, end);
  if (qproto !== IpProto.TCP && qproto !== IpProto.UDP) return ctx.notOurs();
  const ql4 = q + qihl;
  if (ql4 + 4 > end) return ctx.notOurs(); // the quote must hold the ports
  const qsrc = readIpv4Bits(buf, q + Ipv4.Src);
  const qdst = readIpv4Bits(buf, q + Ipv4.Dst);
  const qsport = readU16(buf, ql4);
  const qdport = readU16(buf, ql4 + 2);
  const c = ctx.conns;

  // About a packet the director sent to the client (VIP → client): goes to the real server.
  let i = c.lookupIn(qproto, qdst, qdport, qsrc, qsport);
  if (i >= 0) {
    const method = c.flags(i) & ConnFlag.MethodMask;
    if (method === FwdMethod.Masq) {
      // Outer destination VIP → RIP; quoted source VIP:vport → RIP:rport.
      setIpAddr(buf, f.ip, Ipv4.Dst, f.dstAddr, c.daddr(i));
      setIpAddr(buf, q, Ipv4.Src, qsrc, c.daddr(i));
      writeU16(buf, ql4, c.dport(i));
      fixIcmpChecksum(buf, f.l4, end);
      if (!decrementTtl(buf, f.ip)) return ctx.drop(DropReason.TtlExpired);
    }
    // TUN servers get the ICMP error through the tunnel, like the connection's packets.
    if (method === FwdMethod.Tunnel) {
      const dest = routedDest(ctx, i);
      return dest ? forwardTunnel(ctx, buf, f, i, dest) : Verdict.Drop;
    }
    return moveToDest(ctx, buf, f, i);
  }
  // About a packet a real server received (client → RIP): goes back to the client.
  i = c.lookupOut(qproto, qdst, qdport, qsrc, qsport);
  if (i >= 0 && (c.flags(i) & ConnFlag.MethodMask) === FwdMethod.Masq) {
    const ifMac = ctx.config.interfaceMac(c.word(i, Cf.ClientIf));
    if (!ifMac) return ctx.drop(DropReason.NoInterface);
    if (!decrementTtl(buf, f.ip)) return ctx.drop(DropReason.TtlExpired);
    setIpAddr(buf, f.ip, Ipv4.Src, f.srcAddr, c.vaddr(i));
    setIpAddr(buf, q, Ipv4.Dst, qdst, c.vaddr(i));
    writeU16(buf, ql4 + 2, c.vport(i));
    fixIcmpChecksum(buf, f.l4, end);
    return moveToClient(ctx, buf, f, i, ifMac);
  }
  return ctx.notOurs();
}

/**
 * A router beyond the director cannot carry one of its IPIP packets (ICMP 3/4 quoting the
 * outer header and the client's packet inside): as ip_vs_in_icmp does, the path MTU toward
 * that real server is lowered and the client is told the MTU left for its packets.
 */
function relayTunnelFragNeeded(
  ctx: ForwardContext,
  buf: Buffer,
  f: FrameFields,
  q: number,
  qihl: number,
  end: number,
): Verdict {
  const type = buf[f.l4 + Icmp.Type];
  if (type !== IcmpType.DestUnreachable || buf[f.l4 + Icmp.Code] !== ICMP_CODE_FRAG_NEEDED) {
    return ctx.notOurs();
  }
  const inner = q + qihl;
  const ihl = ipv4HeaderLen(buf, inner, end);
  if (ihl === undefined || inner + ihl + 4 > end) return ctx.notOurs();
  const proto = buf[inner + Ipv4.Proto]!;
  const client = readIpv4Bits(buf, inner + Ipv4.Src);
  const vip = readIpv4Bits(buf, inner + Ipv4.Dst);
  const c = ctx.conns;
  const i = c.lookupIn(
    proto,
    client,
    readU16(buf, inner + ihl),
    vip,
    readU16(buf, inner + ihl + 2),
  );
  if (
    i < 0 ||
    (c.flags(i) & ConnFlag.MethodMask) !== FwdMethod.Tunnel ||
    c.daddr(i) !== readIpv4Bits(buf, q + Ipv4.Dst)
  ) {
    return ctx.notOurs();
  }
  const dest = ctx.config.destsById[c.word(i, Cf.DestId)];
  const pathMtu = readU16(buf, f.l4 + Icmp.NextHopMtu);
  if (!dest || pathMtu < 68 + IPV4_MIN_LEN) return ctx.notOurs();
  dest.learnMtu(pathMtu);
  c.copyClientMac(i, ctx.macScratch, 0);
  const route = ctx.icmpRoute;
  route.from = vip;
  route.to = client;
  route.mac = ctx.macScratch;
  route.macOff = 0;
  route.outIf = c.word(i, Cf.ClientIf);
  return sendIcmpUnreachable(
    ctx,
    buf,
    inner,
    end - inner,
    route,
    ICMP_CODE_FRAG_NEEDED,
    pathMtu - IPV4_MIN_LEN,
    f.now,
  );
}
