// Neighbor discovery (RFC 4861): neighbor solicitation and advertisement over Ethernet, with
// source/target link-layer address options; builders of whole frames (as arp.ts for IPv4)
// and the checks of section 7.1 for what arrives. Offsets are relative to the ICMPv6 header.
import { IPV6_ALEN } from './addr.js';
import { writeU16 } from './checksum.js';
import { l4ChecksumOk6, setL4Checksum6 } from './checksum6.js';
import { copyMac, ETH_ALEN, Eth, ETH_HLEN, EtherType, writeEthHeader } from './ethernet.js';
import { Icmp6, Icmp6Type } from './icmpv6.js';
import { Ipv6, IPV6_HLEN, NextHeader, writeIpv6VerTcFlow } from './ipv6.js';

export const enum Ndp {
  /** R, S, O flags of an advertisement (first byte of the reserved word). */
  Flags = 4,
  Target = 8,
  Options = 24,
}

/** Length of a solicitation or advertisement without options. */
export const NDP_MSG_LEN = 24;
/** A link-layer address option for Ethernet: type, length 1 (8 bytes), the MAC. */
export const NDP_LLA_OPT_LEN = 8;
/** A whole NS or NA frame with one link-layer address option. */
export const NDP_FRAME_LEN = ETH_HLEN + IPV6_HLEN + NDP_MSG_LEN + NDP_LLA_OPT_LEN;
/** Hop limit of every NDP message: 255 proves it was not forwarded (RFC 4861 section 3.1). */
export const NDP_HOP_LIMIT = 255;

export const enum NdpOption {
  SourceLinkAddr = 1,
  TargetLinkAddr = 2,
}

export const enum NaFlag {
  Router = 0x80,
  Solicited = 0x40,
  Override = 0x20,
}

/** ff02::1, all nodes on the link: the destination of unsolicited advertisements. */
export const ALL_NODES = Buffer.from('ff020000000000000000000000000001', 'hex');

/** Writes the solicited-node multicast address of `addr` (ff02::1:ffXX:XXXX, RFC 4291 2.7.1). */
export function solicitedNodeAddr(addr: Buffer, aOff: number, out: Buffer, oOff: number): void {
  out.fill(0, oOff, oOff + IPV6_ALEN);
  out[oOff] = 0xff;
  out[oOff + 1] = 0x02;
  out[oOff + 11] = 0x01;
  out[oOff + 12] = 0xff;
  addr.copy(out, oOff + 13, aOff + 13, aOff + 16);
}

/** Writes the Ethernet address of IPv6 multicast `addr`: 33:33 and its last 32 bits (RFC 2464 7). */
export function ipv6MulticastMac(addr: Buffer, aOff: number, out: Buffer, oOff: number): void {
  out[oOff] = 0x33;
  out[oOff + 1] = 0x33;
  addr.copy(out, oOff + 2, aOff + 12, aOff + 16);
}

function isMulticast(buf: Buffer, off: number): boolean {
  return buf[off] === 0xff;
}

function isUnspecified(buf: Buffer, off: number): boolean {
  for (let i = 0; i < IPV6_ALEN; i++) if (buf[off + i] !== 0) return false;
  return true;
}

/**
 * Writes an NS or NA as the IPv6 packet after the Ethernet header of the frame at `at` (that
 * header is the caller's): from `src` to `dst`, about `target`, with one link-layer address
 * option of type `optType` carrying `mac`. Returns the frame length.
 */
function writeNdp(
  out: Buffer,
  at: number,
  type: Icmp6Type.NeighborSolicit | Icmp6Type.NeighborAdvert,
  flags: number,
  src: Buffer,
  srcOff: number,
  dst: Buffer,
  dstOff: number,
  target: Buffer,
  tOff: number,
  optType: NdpOption,
  mac: Buffer,
): number {
  const ip = at + ETH_HLEN;
  const icmp = ip + IPV6_HLEN;
  const icmpLen = NDP_MSG_LEN + NDP_LLA_OPT_LEN;
  writeIpv6VerTcFlow(out, ip, 0, 0);
  writeU16(out, ip + Ipv6.PayloadLen, icmpLen);
  out[ip + Ipv6.NextHeader] = NextHeader.ICMPv6;
  out[ip + Ipv6.HopLimit] = NDP_HOP_LIMIT;
  // Copy the target first: it may be read from where the source or destination goes.
  target.copy(out, icmp + Ndp.Target, tOff, tOff + IPV6_ALEN);
  src.copy(out, ip + Ipv6.Src, srcOff, srcOff + IPV6_ALEN);
  dst.copy(out, ip + Ipv6.Dst, dstOff, dstOff + IPV6_ALEN);
  out[icmp + Icmp6.Type] = type;
  out[icmp + Icmp6.Code] = 0;
  out.writeUInt32BE(0, icmp + Ndp.Flags);
  out[icmp + Ndp.Flags] = flags;
  const opt = icmp + Ndp.Options;
  out[opt] = optType;
  out[opt + 1] = NDP_LLA_OPT_LEN / 8;
  copyMac(out, opt + 2, mac, 0);
  setL4Checksum6(out, ip, icmp, icmpLen, NextHeader.ICMPv6);
  return NDP_FRAME_LEN;
}

/** Scratch for the destination address while a frame is built. */
const dstScratch = Buffer.alloc(IPV6_ALEN);
const macScratch = Buffer.alloc(ETH_ALEN);

/**
 * Writes, as the frame at `at` of `out`, a neighbor solicitation for `target` from `src` (an
 * address of ours on the link) and `srcMac`, with our link-layer address: to the target's
 * solicited-node multicast address, or, given `dstMac` (a cached entry being confirmed), to
 * the target itself. Returns the frame length.
 */
export function buildNeighborSolicit(
  out: Buffer,
  srcMac: Buffer,
  src: Buffer,
  srcOff: number,
  target: Buffer,
  tOff: number,
  dstMac: Buffer | undefined = undefined,
  at = 0,
): number {
  if (dstMac) {
    writeEthHeader(out, dstMac, srcMac, EtherType.IPv6, at);
    target.copy(dstScratch, 0, tOff, tOff + IPV6_ALEN);
  } else {
    solicitedNodeAddr(target, tOff, dstScratch, 0);
    ipv6MulticastMac(dstScratch, 0, macScratch, 0);
    writeEthHeader(out, macScratch, srcMac, EtherType.IPv6, at);
  }
  return writeNdp(
    out,
    at,
    Icmp6Type.NeighborSolicit,
    0,
    src,
    srcOff,
    dstScratch,
    0,
    target,
    tOff,
    NdpOption.SourceLinkAddr,
    srcMac,
  );
}

/**
 * Writes, as the frame at `at`, a neighbor advertisement that `target` is at `mac`, from
 * `target` itself, to `dst` (toward `dstMac`), with `flags` (NaFlag) and the target
 * link-layer address option.
 */
export function buildNeighborAdvert(
  out: Buffer,
  mac: Buffer,
  target: Buffer,
  tOff: number,
  dst: Buffer,
  dstOff: number,
  dstMac: Buffer,
  flags: number,
  at = 0,
): number {
  writeEthHeader(out, dstMac, mac, EtherType.IPv6, at);
  return writeNdp(
    out,
    at,
    Icmp6Type.NeighborAdvert,
    flags,
    target,
    tOff,
    dst,
    dstOff,
    target,
    tOff,
    NdpOption.TargetLinkAddr,
    mac,
  );
}

const ALL_NODES_MAC = Buffer.from([0x33, 0x33, 0, 0, 0, 1]);

/**
 * An unsolicited advertisement (RFC 4861 section 7.2.6) of `addr` at `mac` to all nodes, with
 * the override flag: IPv6's gratuitous ARP. `router` sets the R flag.
 */
export function buildUnsolicitedNeighborAdvert(
  out: Buffer,
  mac: Buffer,
  addr: Buffer,
  aOff: number,
  router = false,
  at = 0,
): number {
  const flags = NaFlag.Override | (router ? NaFlag.Router : 0);
  return buildNeighborAdvert(out, mac, addr, aOff, ALL_NODES, 0, ALL_NODES_MAC, flags, at);
}

/**
 * Turns the (validated) neighbor solicitation frame at `at` of `buf`, its ICMPv6 header right
 * after the IPv6 header, into the solicited advertisement of its target at `mac`, in place
 * (RFC 4861 section 7.2.4): to the solicitation's source, or to all nodes without the S flag
 * when that source was unspecified (duplicate address detection). `buf` must hold
 * NDP_FRAME_LEN bytes from `at`. Returns the frame length.
 */
export function neighborAdvertReplyInPlace(
  buf: Buffer,
  mac: Buffer,
  router = false,
  at = 0,
): number {
  const ip = at + ETH_HLEN;
  const icmp = ip + IPV6_HLEN;
  const fromDad = isUnspecified(buf, ip + Ipv6.Src);
  const flags = NaFlag.Override | (router ? NaFlag.Router : 0) | (fromDad ? 0 : NaFlag.Solicited);
  if (fromDad) {
    ALL_NODES.copy(dstScratch);
    copyMac(macScratch, 0, ALL_NODES_MAC, 0);
  } else {
    buf.copy(dstScratch, 0, ip + Ipv6.Src, ip + Ipv6.Src + IPV6_ALEN);
    copyMac(macScratch, 0, buf, at + Eth.Src);
  }
  writeEthHeader(buf, macScratch, mac, EtherType.IPv6, at);
  return writeNdp(
    buf,
    at,
    Icmp6Type.NeighborAdvert,
    flags,
    buf,
    icmp + Ndp.Target,
    dstScratch,
    0,
    buf,
    icmp + Ndp.Target,
    NdpOption.TargetLinkAddr,
    mac,
  );
}

/**
 * Offset of the 6-byte link-layer address in the option of type `optType` of the NS/NA at
 * `icmp` (options up to `end`), or -1 when there is none or the options are malformed
 * (an option of length 0 or past the end).
 */
export function ndpLinkLayerAddr(buf: Buffer, icmp: number, end: number, optType: number): number {
  let opt = icmp + Ndp.Options;
  let found = -1;
  while (opt + 2 <= end) {
    const len = buf[opt + 1]! * 8;
    if (len === 0 || opt + len > end) return -1;
    if (buf[opt] === optType && found < 0 && len >= 2 + ETH_ALEN) found = opt + 2;
    opt += len;
  }
  return opt === end ? found : -1;
}

/**
 * Validates an NS or NA (RFC 4861 sections 7.1.1 and 7.1.2) whose IPv6 header is at `ip`
 * and ICMPv6 header at `icmp`, the packet ending at `end` (its payload length, not the padded
 * frame): hop limit 255, code 0, at least 24
 * bytes, a correct checksum, a target that is not multicast, well-formed options; an NS from
 * the unspecified address only to a solicited-node address and without a source link-layer
 * option; an NA to a multicast address not solicited. Returns the message type
 * (Icmp6Type.NeighborSolicit or NeighborAdvert), or 0 when invalid or not NDP.
 */
export function ndpValidate(buf: Buffer, ip: number, icmp: number, end: number): number {
  if (icmp + NDP_MSG_LEN > end) return 0;
  const type = buf[icmp + Icmp6.Type]!;
  if (type !== Icmp6Type.NeighborSolicit && type !== Icmp6Type.NeighborAdvert) return 0;
  if (buf[ip + Ipv6.HopLimit] !== NDP_HOP_LIMIT || buf[icmp + Icmp6.Code] !== 0) return 0;
  if (isMulticast(buf, icmp + Ndp.Target)) return 0;
  if (!l4ChecksumOk6(buf, ip, icmp, end - icmp, NextHeader.ICMPv6)) return 0;
  if (!optionsWellFormed(buf, icmp, end)) return 0;
  const optType =
    type === Icmp6Type.NeighborSolicit ? NdpOption.SourceLinkAddr : NdpOption.TargetLinkAddr;
  const lla = ndpLinkLayerAddr(buf, icmp, end, optType);
  if (type === Icmp6Type.NeighborSolicit && isUnspecified(buf, ip + Ipv6.Src)) {
    if (lla >= 0 || !isSolicitedNode(buf, ip + Ipv6.Dst)) return 0;
  }
  if (
    type === Icmp6Type.NeighborAdvert &&
    isMulticast(buf, ip + Ipv6.Dst) &&
    (buf[icmp + Ndp.Flags]! & NaFlag.Solicited) !== 0
  ) {
    return 0;
  }
  return type;
}

function optionsWellFormed(buf: Buffer, icmp: number, end: number): boolean {
  let opt = icmp + Ndp.Options;
  while (opt + 2 <= end) {
    const len = buf[opt + 1]! * 8;
    if (len === 0 || opt + len > end) return false;
    opt += len;
  }
  return opt === end;
}

/** ff02::1:ffXX:XXXX */
function isSolicitedNode(buf: Buffer, off: number): boolean {
  if (buf[off] !== 0xff || buf[off + 1] !== 0x02 || buf[off + 11] !== 1 || buf[off + 12] !== 0xff)
    return false;
  for (let i = 2; i < 11; i++) if (buf[off + i] !== 0) return false;
  return true;
}

export function naFlags(buf: Buffer, icmp: number): number {
  return buf[icmp + Ndp.Flags]! & (NaFlag.Router | NaFlag.Solicited | NaFlag.Override);
}
