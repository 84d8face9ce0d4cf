// LVS-TUN: the client's IP packet, unchanged, inside an outer IPv4 header (protocol 4, IPIP,
// RFC 2003) addressed to the real server, as ip_vs_tunnel_xmit builds it: TOS and DF copied
// from the inner header, a fresh TTL, the director's own address as source. A packet that
// would not fit the path once encapsulated, with DF set, is answered with ICMP
// "fragmentation needed" carrying the MTU left for the inner packet (RFC 1191).
import { writeIpv4 } from '../../packet/addr.js';
import { readU16, writeU16 } from '../../packet/checksum.js';
import { ETH_HLEN } from '../../packet/ethernet.js';
import { IP_DF, Ipv4, ipv4SetChecksum, IpProto, IPV4_MIN_LEN } from '../../packet/ipv4.js';
import type { Engine, FrameFields } from '../engine.js';
import { DropReason, type Verdict } from '../verdict.js';
import { moveToDest } from './forwarders.js';
import { replyFragNeeded } from './icmp-frag-needed.js';

/** TTL of the outer header (the kernel's default ip4_dst_hoplimit). */
const OUTER_TTL = 64;
let outerId = 0;

export function forwardTunnel(
  e: Engine,
  buf: Buffer,
  f: FrameFields,
  i: number,
  inIf: number,
): Verdict {
  const dest = e.services.destsById[e.conns.destId[i]!];
  if (!dest || dest.ifIndex < 0) return e.drop(DropReason.NoNeighbour);
  const inner = f.ipLen;
  const df = readU16(buf, f.ip + Ipv4.FragOff) & IP_DF;
  // The path MTU as IPVS reads it (dst_mtu): the route's MTU if set, else the link's.
  const linkMtu = e.env.interfaceMtu(dest.ifIndex);
  const room = (dest.routeMtu > 0 ? Math.min(dest.routeMtu, linkMtu) : linkMtu) - IPV4_MIN_LEN;
  if (inner > room) {
    if (df) return replyFragNeeded(e, buf, f, inIf, room);
    return e.drop(DropReason.TooBig); // uvs never fragments
  }
  if (buf.length < ETH_HLEN + IPV4_MIN_LEN + inner) return e.drop(DropReason.TooBig);
  const tos = buf[f.ip + Ipv4.Tos]!;
  buf.copyWithin(ETH_HLEN + IPV4_MIN_LEN, ETH_HLEN, ETH_HLEN + inner);
  const o = ETH_HLEN;
  buf[o + Ipv4.VerIhl] = 0x45;
  buf[o + Ipv4.Tos] = tos;
  writeU16(buf, o + Ipv4.TotalLen, IPV4_MIN_LEN + inner);
  writeU16(buf, o + Ipv4.Id, (outerId = (outerId + 1) & 0xffff));
  writeU16(buf, o + Ipv4.FragOff, df);
  buf[o + Ipv4.Ttl] = OUTER_TTL;
  buf[o + Ipv4.Proto] = IpProto.IPIP;
  writeIpv4(buf, o + Ipv4.Src, dest.tunnelSrc);
  writeIpv4(buf, o + Ipv4.Dst, dest.addr);
  ipv4SetChecksum(buf, o);
  // The frame now carries the outer packet: what moveToDest sends is its length.
  f.ipLen = IPV4_MIN_LEN + inner;
  return moveToDest(e, buf, f, i);
}
