// ICMPv6 (RFC 4443) header view and the error messages a director sends: destination
// unreachable (port unreachable, as ip_vs_leave when no real server is available) and packet
// too big (with the MTU, as IPVS's ensure_mtu_is_adequate). Offsets are relative to the start
// of the ICMPv6 header.
import { ETH_HLEN, EtherType, writeEthHeader } from './ethernet.js';
import { writeU16 } from './checksum.js';
import { setL4Checksum6 } from './checksum6.js';
import { IPV6_ALEN } from './addr.js';
import { Ipv6, IPV6_HLEN, IPV6_MIN_MTU, NextHeader, writeIpv6VerTcFlow } from './ipv6.js';

export const ICMPV6_HLEN = 8;

export const enum Icmp6 {
  Type = 0,
  Code = 1,
  Csum = 2,
  /**
   * MTU of packet too big; pointer of parameter problem; unused in other errors; the
   * identifier (16 bits) of echo messages, whose sequence number follows.
   */
  Param = 4,
  Seq = 6,
  /** Start of the quoted packet in error messages. */
  Quoted = 8,
}

export const enum Icmp6Type {
  DestUnreachable = 1,
  PacketTooBig = 2,
  TimeExceeded = 3,
  ParameterProblem = 4,
  EchoRequest = 128,
  EchoReply = 129,
  RouterSolicit = 133,
  RouterAdvert = 134,
  NeighborSolicit = 135,
  NeighborAdvert = 136,
  Redirect = 137,
}

export const enum Icmp6UnreachCode {
  NoRoute = 0,
  AdminProhibited = 1,
  BeyondScope = 2,
  Address = 3,
  Port = 4,
}

/** Error messages have types 0-127 (RFC 4443 section 2.1) and quote the offending packet. */
export function icmpv6IsError(type: number): boolean {
  return type < 128;
}

/** Hop limit of the errors uvs sends (the kernel's default route hop limit). */
export const ICMPV6_ERROR_HOP_LIMIT = 64;

/**
 * Writes an ICMPv6 error as an IPv6 packet at `ip` in `out`: from the 16 bytes at
 * `src[srcOff]` to those at `dst[dstOff]`, with `type`, `code` and the 32-bit `param` (the
 * MTU of packet too big), quoting as much of `quote[qOff, qOff + qLen)` as keeps the error
 * within the IPv6 minimum MTU (RFC 4443 section 2.4 (c)). `out` must not be `quote`'s buffer.
 * Returns the IPv6 packet length.
 */
export function writeIcmpv6Error(
  out: Buffer,
  ip: number,
  src: Buffer,
  srcOff: number,
  dst: Buffer,
  dstOff: number,
  type: number,
  code: number,
  param: number,
  quote: Buffer,
  qOff: number,
  qLen: number,
): number {
  const quoted = Math.min(qLen, IPV6_MIN_MTU - IPV6_HLEN - ICMPV6_HLEN);
  const icmpLen = ICMPV6_HLEN + quoted;
  const icmp = ip + IPV6_HLEN;
  writeIpv6VerTcFlow(out, ip, 0, 0);
  writeU16(out, ip + Ipv6.PayloadLen, icmpLen);
  out[ip + Ipv6.NextHeader] = NextHeader.ICMPv6;
  out[ip + Ipv6.HopLimit] = ICMPV6_ERROR_HOP_LIMIT;
  src.copy(out, ip + Ipv6.Src, srcOff, srcOff + IPV6_ALEN);
  dst.copy(out, ip + Ipv6.Dst, dstOff, dstOff + IPV6_ALEN);
  out[icmp + Icmp6.Type] = type;
  out[icmp + Icmp6.Code] = code;
  out.writeUInt32BE(param >>> 0, icmp + Icmp6.Param);
  quote.copy(out, icmp + Icmp6.Quoted, qOff, qOff + quoted);
  setL4Checksum6(out, ip, icmp, icmpLen, NextHeader.ICMPv6);
  return IPV6_HLEN + icmpLen;
}

/**
 * Writes, as a whole Ethernet frame at `at` in `out`, the error about the IPv6 packet at
 * `quote[qIp]` (`qLen` bytes) sent back to its source from the address it was sent to, toward
 * `dstMac` from `srcMac`. Returns the frame length.
 */
export function buildIcmpv6ErrorReply(
  out: Buffer,
  dstMac: Buffer,
  srcMac: Buffer,
  quote: Buffer,
  qIp: number,
  qLen: number,
  type: number,
  code: number,
  param: number,
  at = 0,
): number {
  writeEthHeader(out, dstMac, srcMac, EtherType.IPv6, at);
  const len = writeIcmpv6Error(
    out,
    at + ETH_HLEN,
    quote,
    qIp + Ipv6.Dst,
    quote,
    qIp + Ipv6.Src,
    type,
    code,
    param,
    quote,
    qIp,
    qLen,
  );
  return ETH_HLEN + len;
}

/** Port unreachable (type 1 code 4) back to the sender of the packet at `quote[qIp]`; frame at `at`. */
export function buildPortUnreachable6(
  out: Buffer,
  dstMac: Buffer,
  srcMac: Buffer,
  quote: Buffer,
  qIp: number,
  qLen: number,
  at = 0,
): number {
  return buildIcmpv6ErrorReply(
    out,
    dstMac,
    srcMac,
    quote,
    qIp,
    qLen,
    Icmp6Type.DestUnreachable,
    Icmp6UnreachCode.Port,
    0,
    at,
  );
}

/** Packet too big (type 2) with `mtu` back to the sender of the packet at `quote[qIp]`; frame at `at`. */
export function buildPacketTooBig(
  out: Buffer,
  dstMac: Buffer,
  srcMac: Buffer,
  quote: Buffer,
  qIp: number,
  qLen: number,
  mtu: number,
  at = 0,
): number {
  return buildIcmpv6ErrorReply(
    out,
    dstMac,
    srcMac,
    quote,
    qIp,
    qLen,
    Icmp6Type.PacketTooBig,
    0,
    mtu,
    at,
  );
}

/** The MTU carried by a packet too big message at `icmp`. */
export function icmpv6Mtu(buf: Buffer, icmp: number): number {
  return buf.readUInt32BE(icmp + Icmp6.Param);
}

/** Scratch for an address while two are swapped. */
const addrScratch = Buffer.alloc(IPV6_ALEN);

/**
 * Turns the echo request whose IPv6 header is at `ip` and ICMPv6 header at `icmp` (after any
 * extension headers) into its reply, in place; `end` is the end of the packet.
 */
export function icmpv6EchoReplyInPlace(buf: Buffer, ip: number, icmp: number, end: number): void {
  const tmp = addrScratch;
  buf.copy(tmp, 0, ip + Ipv6.Src, ip + Ipv6.Src + IPV6_ALEN);
  buf.copy(buf, ip + Ipv6.Src, ip + Ipv6.Dst, ip + Ipv6.Dst + IPV6_ALEN);
  tmp.copy(buf, ip + Ipv6.Dst);
  buf[ip + Ipv6.HopLimit] = ICMPV6_ERROR_HOP_LIMIT;
  buf[icmp + Icmp6.Type] = Icmp6Type.EchoReply;
  setL4Checksum6(buf, ip, icmp, end - icmp, NextHeader.ICMPv6);
}
