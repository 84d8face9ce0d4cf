// IPv6 header view (RFC 8200) and a bounded walk of its extension-header chain. Offsets are
// relative to the start of the IPv6 header.
import { readU16 } from './checksum.js';

export const IPV6_HLEN = 40;
/** The minimum link MTU of IPv6 (RFC 8200 section 5): an ICMPv6 error never exceeds it. */
export const IPV6_MIN_MTU = 1280;

export const enum Ipv6 {
  /** Version (4 bits), traffic class (8), flow label (20). */
  VerTcFlow = 0,
  PayloadLen = 4,
  NextHeader = 6,
  HopLimit = 7,
  Src = 8,
  Dst = 24,
}

/** Next-header values (IANA "Assigned Internet Protocol Numbers") that uvs looks at. */
export const enum NextHeader {
  HopByHop = 0,
  IPIP = 4,
  TCP = 6,
  UDP = 17,
  /** IPv6 encapsulated in IPv6 (RFC 2473), or in IPv4 (RFC 4213). */
  IPv6 = 41,
  Routing = 43,
  Fragment = 44,
  ESP = 50,
  AH = 51,
  ICMPv6 = 58,
  NoNext = 59,
  DestOptions = 60,
}

/** Fragment header fields (RFC 8200 section 4.5), relative to the fragment header. */
export const enum Ipv6Frag {
  NextHeader = 0,
  OffsetFlags = 2,
  Id = 4,
}
export const IPV6_FRAG_HLEN = 8;
export const IPV6_FRAG_OFFMASK = 0xfff8;
export const IPV6_FRAG_MF = 0x0001;

/** At most this many extension headers are walked; a longer chain is reported malformed. */
export const IPV6_MAX_EXT_HEADERS = 8;

/** What walkIpv6Chain found. */
export const enum Ipv6ChainStatus {
  /** An upper-layer header (TCP, UDP, ICMPv6, ESP, IPv6, No Next Header…) at `l4`. */
  Upper = 0,
  /** A fragment that is not the whole packet: `l4`/`proto` are only meaningful at offset 0. */
  Fragment = 1,
  /** Truncated or invalid chain: hop-by-hop not first, a header past the end, too many headers. */
  Malformed = 2,
}

/** The result of a walk, reused from frame to frame (nothing is allocated per frame). */
export interface Ipv6Chain {
  status: Ipv6ChainStatus;
  /** Next-header value of the upper layer (after the last extension header walked). */
  proto: number;
  /** Offset of the upper-layer header in the buffer. */
  l4: number;
  /** Offset of the fragment header, or -1. An atomic fragment (offset 0, no M) is walked past. */
  fragHeader: number;
}

export function newIpv6Chain(): Ipv6Chain {
  return { status: Ipv6ChainStatus.Malformed, proto: 0, l4: 0, fragHeader: -1 };
}

/** True when the 40-byte header fits in `end` and its version is 6. */
export function ipv6HeaderOk(buf: Buffer, off: number, end: number): boolean {
  return end >= off + IPV6_HLEN && buf[off + Ipv6.VerTcFlow]! >> 4 === 6;
}

/**
 * End of the IPv6 packet at `off` (header + payload length), or undefined when it does not fit
 * in `end` or the payload length is 0 (a jumbogram, RFC 2675, which uvs does not carry).
 */
export function ipv6PacketEnd(buf: Buffer, off: number, end: number): number | undefined {
  if (!ipv6HeaderOk(buf, off, end)) return undefined;
  const payload = readU16(buf, off + Ipv6.PayloadLen);
  const last = off + IPV6_HLEN + payload;
  return payload > 0 && last <= end ? last : undefined;
}

export function ipv6TrafficClass(buf: Buffer, off: number): number {
  return ((buf[off]! & 0x0f) << 4) | (buf[off + 1]! >> 4);
}

export function setIpv6TrafficClass(buf: Buffer, off: number, tc: number): void {
  buf[off] = 0x60 | ((tc >> 4) & 0x0f);
  buf[off + 1] = ((tc & 0x0f) << 4) | (buf[off + 1]! & 0x0f);
}

export function ipv6FlowLabel(buf: Buffer, off: number): number {
  return ((buf[off + 1]! & 0x0f) << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
}

/** Writes version 6, traffic class `tc`, flow label `flow`. */
export function writeIpv6VerTcFlow(buf: Buffer, off: number, tc: number, flow: number): void {
  buf[off] = 0x60 | ((tc >> 4) & 0x0f);
  buf[off + 1] = ((tc & 0x0f) << 4) | ((flow >> 16) & 0x0f);
  buf[off + 2] = (flow >> 8) & 0xff;
  buf[off + 3] = flow & 0xff;
}

/**
 * Walks the extension headers of the IPv6 packet at `ip` (which must satisfy ipv6HeaderOk)
 * up to `end`, the end of the packet: hop-by-hop (first only), routing, destination options,
 * AH and fragment headers. Never reads at or past `end`; stops after IPV6_MAX_EXT_HEADERS.
 * Fills `out` and returns its status.
 */
export function walkIpv6Chain(
  buf: Buffer,
  ip: number,
  end: number,
  out: Ipv6Chain,
): Ipv6ChainStatus {
  let next = buf[ip + Ipv6.NextHeader]!;
  let off = ip + IPV6_HLEN;
  out.fragHeader = -1;
  for (let n = 0; ; n++) {
    let len: number;
    // RFC 8200 section 4.1: a hop-by-hop options header only right after the IPv6 header.
    if (next === NextHeader.HopByHop && n !== 0) return malformed(out);
    switch (next) {
      case NextHeader.HopByHop:
      case NextHeader.Routing:
      case NextHeader.DestOptions:
        if (off + 2 > end) return malformed(out);
        len = (buf[off + 1]! + 1) * 8;
        break;
      case NextHeader.AH:
        if (off + 2 > end) return malformed(out);
        len = (buf[off + 1]! + 2) * 4;
        break;
      case NextHeader.Fragment: {
        if (off + IPV6_FRAG_HLEN > end) return malformed(out);
        const offsetFlags = readU16(buf, off + Ipv6Frag.OffsetFlags);
        if ((offsetFlags & (IPV6_FRAG_OFFMASK | IPV6_FRAG_MF)) !== 0) {
          out.fragHeader = off;
          out.proto = buf[off + Ipv6Frag.NextHeader]!;
          out.l4 = off + IPV6_FRAG_HLEN;
          out.status = Ipv6ChainStatus.Fragment;
          return out.status;
        }
        out.fragHeader = off; // an atomic fragment (RFC 6946) is a whole packet
        len = IPV6_FRAG_HLEN;
        break;
      }
      default:
        out.proto = next;
        out.l4 = off;
        out.status = Ipv6ChainStatus.Upper;
        return out.status;
    }
    if (n >= IPV6_MAX_EXT_HEADERS || off + len > end) return malformed(out);
    next = buf[off]!;
    off += len;
  }
}

function malformed(out: Ipv6Chain): Ipv6ChainStatus {
  out.status = Ipv6ChainStatus.Malformed;
  return out.status;
}
