// The headers LVS-TUN puts before the client's packet, toward a real server of either family,
// as ip_vs_tunnel_xmit_v6 (and ip_vs_tunnel_xmit for an IPv4 server) builds them: Ethernet, then
// an outer IPv6 header (RFC 2473: next header 41 for IPv6 inside, 4 for IPv4 inside; traffic
// class from the inner packet's, ECN encapsulated; flow label 0; the inner packet's hop limit
// or TTL, already decremented by the director) or an outer IPv4 one (protocol 41 or 4, DF set).
// The director's own address toward the server is the source.
import { IP_DF, IPV4_MIN_LEN } from '../../packet/ipv4.js';
import { copyMac, Eth, ETH_HLEN, EtherType } from '../../packet/ethernet.js';
import { writeU16 } from '../../packet/checksum.js';
import { IPV6_ALEN } from '../../packet/addr.js';
import { Ipv6, IPV6_HLEN, writeIpv6VerTcFlow } from '../../packet/ipv6.js';
import type { EngineEnv } from '../engine-env.js';
import type { LiveDest } from '../live-dest.js';
import type { Neighbours6 } from './forward-context.js';
import { ecnEncapsulate, writeOuterHeader } from './ipip.js';

/** Bytes of the outer IP header toward `dest`. */
export function outerLen(dest: LiveDest): number {
  return dest.family === 6 ? IPV6_HLEN : IPV4_MIN_LEN;
}

/** The MAC of `dest`'s next hop in its own family, or undefined (then it was asked for). */
export function tunnelNextHopMac(
  env: EngineEnv,
  neighbours6: Neighbours6,
  dest: LiveDest,
  now: number,
): Buffer | undefined {
  if (dest.family === 6) {
    const mac = neighbours6.mac(dest.nextHop6, 0);
    if (!mac) neighbours6.request(dest.nextHop6, 0, dest.ifIndex, now);
    return mac;
  }
  const mac = env.neighbourMac(dest.nextHop);
  if (!mac) env.requestNeighbour(dest.nextHop, dest.ifIndex);
  return mac;
}

/**
 * Writes, at `e` of `out`, the Ethernet header toward `mac` from `ifMac` and the outer header
 * toward `dest` for an inner packet of `innerLen` bytes whose next header is `innerProto`
 * (41: IPv6, 4: IPv4), traffic class / TOS `tc` and hop limit / TTL `ttl` (after the
 * director's decrement). An outer IPv4 header carries `df` (IPIP copies the inner packet's; an
 * IPv6 packet inside is never fragmented). The inner packet starts right after.
 */
export function writeTunnelHeaders(
  out: Buffer,
  e: number,
  dest: LiveDest,
  mac: Buffer,
  ifMac: Buffer,
  innerProto: number,
  tc: number,
  innerLen: number,
  ttl: number,
  df = IP_DF,
): void {
  copyMac(out, e + Eth.Dst, mac, 0);
  copyMac(out, e + Eth.Src, ifMac, 0);
  const o = e + ETH_HLEN;
  if (dest.family !== 6) {
    writeU16(out, e + Eth.Type, EtherType.IPv4);
    const tos = ecnEncapsulate(tc);
    writeOuterHeader(out, o, tos, df, innerLen, dest.tunnelSrc, dest.addr, innerProto, ttl);
    return;
  }
  writeU16(out, e + Eth.Type, EtherType.IPv6);
  writeIpv6VerTcFlow(out, o, ecnEncapsulate(tc), 0);
  writeU16(out, o + Ipv6.PayloadLen, innerLen);
  out[o + Ipv6.NextHeader] = innerProto;
  out[o + Ipv6.HopLimit] = ttl;
  dest.tunnelSrc6.copy(out, o + Ipv6.Src, 0, IPV6_ALEN);
  dest.addr6Bytes.copy(out, o + Ipv6.Dst, 0, IPV6_ALEN);
}
