// Where the inner packet of a tunnelled frame is, for uvs-tun-endpoint: IPIP (RFC 2003,
// protocol 4) and IPv6 in IP (RFC 2473 / RFC 4213, next header 41), under an outer IPv4 or
// IPv6 header, as IPVS sends them (mixed families included: an IPv6 service's IPv4 real
// server gets IPv6 in IPv4, and the reverse). Pure: no I/O, nothing allocated per frame.
import {
  AddressError,
  isIpv4,
  isIpv6,
  ipv6Equal,
  parseIpv4,
  parseIpv6,
  readIpv4,
} from '../packet/addr.js';
import { readU16 } from '../packet/checksum.js';
import { Eth, ETH_HLEN, EtherType } from '../packet/ethernet.js';
import { Ipv4, ipv4HeaderLen, ipv4IsFragment } from '../packet/ipv4.js';
import {
  Ipv6,
  Ipv6ChainStatus,
  ipv6PacketEnd,
  NextHeader,
  walkIpv6Chain,
  type Ipv6Chain,
} from '../packet/ipv6.js';

export const enum DecapStatus {
  Inner = 0,
  /** Not a tunnel packet to one of our addresses. */
  NotForUs = 1,
  /** A tunnel packet to us whose outer or inner header is broken (or a fragment). */
  BadInner = 2,
}

/** The inner packet found by locateInner (reused from frame to frame). */
export interface InnerPacket {
  start: number;
  end: number;
  /** What the outer header says it carries: 4 (IPv4) or 41 (IPv6). */
  proto: number;
  /** EtherType to send the inner packet with: IPv4 or IPv6. */
  etherType: number;
  /** Offset of the inner destination address. */
  dst: number;
}

export interface LocalAddresses {
  has4(addr: number): boolean;
  /** The 16 bytes at `buf[off]`. */
  has6(buf: Buffer, off: number): boolean;
}

/** The outer header's payload (start, end, protocol) into `out`, when it is a tunnel to us. */
function outerPayload(
  buf: Buffer,
  len: number,
  local: LocalAddresses,
  chain: Ipv6Chain,
  out: InnerPacket,
): DecapStatus {
  const ip = ETH_HLEN;
  if (len < ETH_HLEN) return DecapStatus.NotForUs;
  const type = readU16(buf, Eth.Type);
  if (type === EtherType.IPv4) {
    const ihl = ipv4HeaderLen(buf, ip, len);
    if (ihl === undefined) return DecapStatus.NotForUs;
    const proto = buf[ip + Ipv4.Proto]!;
    if (
      (proto !== NextHeader.IPIP && proto !== NextHeader.IPv6) ||
      !local.has4(readIpv4(buf, ip + Ipv4.Dst))
    )
      return DecapStatus.NotForUs;
    const end = ip + readU16(buf, ip + Ipv4.TotalLen);
    if (end > len || end < ip + ihl || ipv4IsFragment(buf, ip)) return DecapStatus.BadInner;
    out.start = ip + ihl;
    out.end = end;
    out.proto = proto;
    return DecapStatus.Inner;
  }
  if (type !== EtherType.IPv6) return DecapStatus.NotForUs;
  const end = ipv6PacketEnd(buf, ip, len);
  if (end === undefined || !local.has6(buf, ip + Ipv6.Dst)) return DecapStatus.NotForUs;
  const status = walkIpv6Chain(buf, ip, end, chain);
  if (
    status === Ipv6ChainStatus.Upper &&
    chain.proto !== NextHeader.IPIP &&
    chain.proto !== NextHeader.IPv6
  )
    return DecapStatus.NotForUs;
  if (status !== Ipv6ChainStatus.Upper) return DecapStatus.BadInner;
  out.start = chain.l4;
  out.end = end;
  out.proto = chain.proto;
  return DecapStatus.Inner;
}

/**
 * Finds the inner packet of the tunnelled frame in `buf` (`len` bytes) addressed to one of
 * `local`'s addresses; fills `out` (end trimmed to the inner packet's own length).
 */
export function locateInner(
  buf: Buffer,
  len: number,
  local: LocalAddresses,
  chain: Ipv6Chain,
  out: InnerPacket,
): DecapStatus {
  const status = outerPayload(buf, len, local, chain, out);
  if (status !== DecapStatus.Inner) return status;
  if (out.proto === NextHeader.IPIP) {
    const ihl = ipv4HeaderLen(buf, out.start, out.end);
    const innerEnd = out.start + (ihl === undefined ? 0 : readU16(buf, out.start + Ipv4.TotalLen));
    if (ihl === undefined || innerEnd > out.end || innerEnd < out.start + ihl)
      return DecapStatus.BadInner;
    out.end = innerEnd;
    out.etherType = EtherType.IPv4;
    out.dst = out.start + Ipv4.Dst;
    return DecapStatus.Inner;
  }
  const innerEnd = ipv6PacketEnd(buf, out.start, out.end);
  if (innerEnd === undefined) return DecapStatus.BadInner;
  out.end = innerEnd;
  out.etherType = EtherType.IPv6;
  out.dst = out.start + Ipv6.Dst;
  return DecapStatus.Inner;
}

/** `--vip`: the inner destinations accepted (empty: any). */
export class VipFilter {
  private constructor(
    private readonly v4: ReadonlySet<number>,
    private readonly v6: readonly Buffer[],
  ) {}

  /** Parses IPv4 and IPv6 addresses; throws AddressError naming a bad one. */
  static parse(texts: readonly string[]): VipFilter {
    const v4 = new Set<number>();
    const v6: Buffer[] = [];
    for (const t of texts) {
      if (isIpv4(t)) v4.add(parseIpv4(t));
      else if (isIpv6(t)) v6.push(parseIpv6(t));
      else throw new AddressError(`invalid IP address "${t}"`);
    }
    return new VipFilter(v4, v6);
  }

  get empty(): boolean {
    return this.v4.size === 0 && this.v6.length === 0;
  }

  allows(buf: Buffer, inner: InnerPacket): boolean {
    if (this.empty) return true;
    if (inner.etherType === EtherType.IPv4) return this.v4.has(readIpv4(buf, inner.dst));
    for (const v of this.v6) if (ipv6Equal(v, 0, buf, inner.dst)) return true;
    return false;
  }
}
