// The outer IPv4 header of LVS-TUN (IPIP, RFC 2003), as ip_vs_tunnel_xmit writes it.
import { writeIpv4 } from '../../packet/addr.js';
import { writeU16 } from '../../packet/checksum.js';
import { Ipv4, ipv4SetChecksum, IPV4_MIN_LEN } from '../../packet/ipv4.js';

/**
 * The outer header's TOS / traffic class from the inner one, as INET_ECN_encapsulate: the DSCP
 * bits copied, the ECN field copied unless the inner packet is marked CE (congestion met), which
 * the outer one carries as ECT(0).
 */
export function ecnEncapsulate(inner: number): number {
  const ecn = inner & 3;
  return (inner & ~3) | (ecn === 3 ? 2 : ecn);
}

let outerId = 0;

/** The next outer IP identifier. */
export function nextOuterId(): number {
  outerId = (outerId + 1) & 0xffff;
  return outerId;
}

/**
 * Writes the outer IPv4 header at `o` of `out` for an inner packet of `inner` bytes: IPIP, or
 * `proto` 41 for an IPv6 inner packet (an IPv4 TUN real server of an IPv6 service).
 */
export function writeOuterHeader(
  out: Buffer,
  o: number,
  tos: number,
  df: number,
  inner: number,
  src: number,
  dst: number,
  proto: number,
  /** The inner packet's TTL after the director's decrement (ip_vs_tunnel_xmit copies it). */
  ttl: number,
): void {
  out[o + Ipv4.VerIhl] = 0x45;
  out[o + Ipv4.Tos] = tos;
  writeU16(out, o + Ipv4.TotalLen, IPV4_MIN_LEN + inner);
  writeU16(out, o + Ipv4.Id, nextOuterId());
  writeU16(out, o + Ipv4.FragOff, df);
  out[o + Ipv4.Ttl] = ttl;
  out[o + Ipv4.Proto] = proto;
  writeIpv4(out, o + Ipv4.Src, src);
  writeIpv4(out, o + Ipv4.Dst, dst);
  ipv4SetChecksum(out, o);
}
