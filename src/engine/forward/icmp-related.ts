// ICMP errors about a connection (port unreachable, fragmentation needed…), rewritten as
// IPVS does (ip_vs_in_icmp / ip_vs_out_icmp): the outer header follows the connection,
// the quoted packet inside is rewritten to what its receiver knows, and the ICMP checksum
// is recomputed over the whole message.
import { readIpv4 } from '../../packet/addr.js';
import { finish, readU16, sum16, writeU16 } from '../../packet/checksum.js';
import { Eth } from '../../packet/ethernet.js';
import { ICMP_CODE_FRAG_NEEDED, Icmp, IcmpType } from '../../packet/icmp.js';
import { Ipv4, ipv4HeaderLen, IpProto, IPV4_MIN_LEN } from '../../packet/ipv4.js';
import { ConnFlag } from '../conn-table.js';
import type { Engine, FrameFields } from '../engine.js';
import { FwdMethod } from '../model.js';
import { DropReason, type Verdict } from '../verdict.js';
import { decrementTtl, setIpAddr } from './rewrite.js';
import { moveToClient, moveToDest } from './forwarders.js';
import { fragNeeded } from './icmp-frag-needed.js';
import { forwardTunnel } from './tunnel.js';

function fixIcmpChecksum(buf: Buffer, icmp: number, end: number): void {
  writeU16(buf, icmp + Icmp.Csum, 0);
  writeU16(buf, icmp + Icmp.Csum, finish(sum16(buf, icmp, end - icmp)));
}

export function forwardIcmpRelated(e: Engine, buf: Buffer, f: FrameFields, inIf: number): Verdict {
  const end = f.ip + f.ipLen;
  const q = f.l4 + Icmp.Quoted;
  const qihl = ipv4HeaderLen(buf, q, end);
  if (qihl === undefined) return e.notOurs();
  const qproto = buf[q + Ipv4.Proto]!;
  if (qproto === IpProto.IPIP) return relayTunnelFragNeeded(e, buf, f, q, qihl, end);
  if (qproto !== IpProto.TCP && qproto !== IpProto.UDP) return e.notOurs();
  const ql4 = q + qihl;
  if (ql4 + 4 > end) return e.notOurs(); // the quote must hold the ports
  const qsrc = readIpv4(buf, q + Ipv4.Src);
  const qdst = readIpv4(buf, q + Ipv4.Dst);
  const qsport = readU16(buf, ql4);
  const qdport = readU16(buf, ql4 + 2);
  const c = e.conns;

  // About a packet the director sent to the client (VIP → client): goes to the real server.
  let i = c.lookupIn(qproto, qdst, qdport, qsrc, qsport);
  if (i >= 0) {
    const method = c.flags[i]! & ConnFlag.MethodMask;
    if (method === FwdMethod.Masq) {
      // Outer destination VIP → RIP; quoted source VIP:vport → RIP:rport.
      setIpAddr(buf, f.ip, Ipv4.Dst, f.dstAddr, c.daddr[i]!);
      setIpAddr(buf, q, Ipv4.Src, qsrc, c.daddr[i]!);
      writeU16(buf, ql4, c.dport[i]!);
      fixIcmpChecksum(buf, f.l4, end);
      if (!decrementTtl(buf, f.ip)) return e.drop(DropReason.TtlExpired);
    }
    // TUN servers get the ICMP error through the tunnel, like the connection's packets.
    if (method === FwdMethod.Tunnel) return forwardTunnel(e, buf, f, i, inIf);
    return moveToDest(e, buf, f, i);
  }
  // About a packet a real server received (client → RIP): goes back to the client.
  i = c.lookupOut(qproto, qdst, qdport, qsrc, qsport);
  if (i >= 0 && (c.flags[i]! & ConnFlag.MethodMask) === FwdMethod.Masq) {
    const outIf = c.clientIf[i]!;
    const ifMac = e.env.interfaceMac(outIf);
    if (!ifMac) return e.drop(DropReason.NoNeighbour);
    if (!decrementTtl(buf, f.ip)) return e.drop(DropReason.TtlExpired);
    setIpAddr(buf, f.ip, Ipv4.Src, f.srcAddr, c.vaddr[i]!);
    setIpAddr(buf, q, Ipv4.Dst, qdst, c.vaddr[i]!);
    writeU16(buf, ql4 + 2, c.vport[i]!);
    fixIcmpChecksum(buf, f.l4, end);
    return moveToClient(e, buf, f, i, ifMac);
  }
  return e.notOurs();
}

/**
 * A router beyond the director cannot carry one of its IPIP packets (ICMP 3/4 quoting the
 * outer header and the client's packet inside): as ip_vs_in_icmp does, the path MTU toward
 * that real server is lowered and the client is told the MTU left for its packets.
 */
function relayTunnelFragNeeded(
  e: Engine,
  buf: Buffer,
  f: FrameFields,
  q: number,
  qihl: number,
  end: number,
): Verdict {
  if (
    buf[f.l4 + Icmp.Type] !== IcmpType.DestUnreachable ||
    buf[f.l4 + Icmp.Code] !== ICMP_CODE_FRAG_NEEDED
  )
    return e.notOurs();
  const inner = q + qihl;
  const ihl = ipv4HeaderLen(buf, inner, end);
  if (ihl === undefined || inner + ihl + 4 > end) return e.notOurs();
  const proto = buf[inner + Ipv4.Proto]!;
  const client = readIpv4(buf, inner + Ipv4.Src);
  const vip = readIpv4(buf, inner + Ipv4.Dst);
  const c = e.conns;
  const i = c.lookupIn(
    proto,
    client,
    readU16(buf, inner + ihl),
    vip,
    readU16(buf, inner + ihl + 2),
  );
  if (
    i < 0 ||
    (c.flags[i]! & ConnFlag.MethodMask) !== FwdMethod.Tunnel ||
    c.daddr[i] !== readIpv4(buf, q + Ipv4.Dst)
  )
    return e.notOurs();
  const dest = e.services.destsById[c.destId[i]!];
  const pathMtu = readU16(buf, f.l4 + Icmp.NextHopMtu);
  if (!dest || pathMtu < 68 + IPV4_MIN_LEN) return e.notOurs();
  dest.routeMtu = dest.routeMtu > 0 ? Math.min(dest.routeMtu, pathMtu) : pathMtu;
  const qLen = Math.min(end - inner, ihl + 8);
  return fragNeeded(
    e,
    buf,
    inner,
    qLen,
    vip,
    client,
    (out) => c.copyClientMac(i, out, Eth.Dst),
    c.clientIf[i]!,
    pathMtu - IPV4_MIN_LEN,
  );
}
