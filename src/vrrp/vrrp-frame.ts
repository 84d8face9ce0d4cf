// Whole Ethernet/IPv4/VRRP frames, as the io backend sends and receives them: the master's
// adverts leave from the virtual router MAC 00:00:5e:00:01:VRID (RFC 5798 §7.3) to the
// multicast MAC of 224.0.0.18 (or a unicast peer's MAC), TTL 255, protocol 112, precedence
// "internetwork control" in the TOS byte as keepalived sets it.
import { readIpv4, writeIpv4 } from '../packet/addr.js';
import { pseudoHeaderSum, readU16, writeU16 } from '../packet/checksum.js';
import { Eth, ETH_HLEN, EtherType, writeEthHeader } from '../packet/ethernet.js';
import {
  Ipv4,
  ipv4HeaderLen,
  ipv4IsFragment,
  ipv4SetChecksum,
  IPV4_MIN_LEN,
} from '../packet/ipv4.js';
import type { VrrpAddr } from './vrrp-addr.js';
import {
  encodeAdvert,
  VRRP_GROUP,
  VRRP_PROTO,
  VRRP_TTL,
  type VrrpAdvert,
  type VrrpFamily,
} from './vrrp-packet.js';

/** IPTOS_PREC_INTERNETCONTROL. */
const TOS_INTERNET_CONTROL = 0xc0;

/** The virtual router MAC of `vrid` (IPv4): 00:00:5e:00:01:VRID. */
export function virtualRouterMac(vrid: number): Buffer {
  return Buffer.from([0x00, 0x00, 0x5e, 0x00, 0x01, vrid & 0xff]);
}

/** The Ethernet multicast MAC of an IPv4 group (RFC 1112 §6.4). */
export function multicastMac(group: number): Buffer {
  return Buffer.from([0x01, 0x00, 0x5e, (group >>> 16) & 0x7f, (group >>> 8) & 0xff, group & 0xff]);
}

export interface AdvertFrameSpec {
  readonly srcMac: Buffer;
  readonly dstMac: Buffer;
  readonly srcIp: number;
  readonly dstIp: number;
  /** IPv4 identification. */
  readonly ipId: number;
}

/** Writes the whole frame of `a` into `buf`; returns its length. */
export function buildAdvertFrame(buf: Buffer, f: AdvertFrameSpec, a: VrrpAdvert): number {
  writeEthHeader(buf, f.dstMac, f.srcMac, EtherType.IPv4);
  const ip = ETH_HLEN;
  const vrrpLen = encodeAdvert(buf, ip + IPV4_MIN_LEN, a, f.srcIp, f.dstIp);
  buf[ip + Ipv4.VerIhl] = 0x45;
  buf[ip + Ipv4.Tos] = TOS_INTERNET_CONTROL;
  writeU16(buf, ip + Ipv4.TotalLen, IPV4_MIN_LEN + vrrpLen);
  writeU16(buf, ip + Ipv4.Id, f.ipId & 0xffff);
  writeU16(buf, ip + Ipv4.FragOff, 0);
  buf[ip + Ipv4.Ttl] = VRRP_TTL;
  buf[ip + Ipv4.Proto] = VRRP_PROTO;
  writeIpv4(buf, ip + Ipv4.Src, f.srcIp);
  writeIpv4(buf, ip + Ipv4.Dst, f.dstIp);
  ipv4SetChecksum(buf, ip);
  // No padding to Ethernet's 60 bytes: the NIC pads, as for keepalived's adverts.
  return ip + IPV4_MIN_LEN + vrrpLen;
}

/** Where a received frame's VRRP packet is, and the IP facts a receiver checks. */
export interface VrrpFrameFacts {
  readonly family: VrrpFamily;
  readonly src: VrrpAddr;
  readonly dst: VrrpAddr;
  /** IPv4 TTL or IPv6 hop limit. */
  readonly ttl: number;
  /** Offset and length of the VRRP packet in the frame. */
  readonly off: number;
  readonly len: number;
  /** The sum of its pseudo-header, which version 3's checksum covers (readAdvert). */
  readonly pseudo: number;
}

/**
 * The VRRP packet of an Ethernet frame, or undefined when the frame is not an unfragmented
 * IPv4 packet of protocol 112 with a sane header. Reads the header in place; never throws.
 */
export function vrrpFrameFacts(buf: Buffer, len: number): VrrpFrameFacts | undefined {
  if (len < ETH_HLEN + IPV4_MIN_LEN || readU16(buf, Eth.Type) !== EtherType.IPv4) return undefined;
  const ip = ETH_HLEN;
  const ihl = ipv4HeaderLen(buf, ip, len);
  if (ihl === undefined || buf[ip + Ipv4.Proto] !== VRRP_PROTO || ipv4IsFragment(buf, ip))
    return undefined;
  const total = readU16(buf, ip + Ipv4.TotalLen);
  if (total < ihl || ip + total > len) return undefined;
  const src = readIpv4(buf, ip + Ipv4.Src);
  const dst = readIpv4(buf, ip + Ipv4.Dst);
  return {
    family: 4,
    src,
    dst,
    ttl: buf[ip + Ipv4.Ttl]!,
    off: ip + ihl,
    len: total - ihl,
    pseudo: pseudoHeaderSum(src, dst, VRRP_PROTO, total - ihl),
  };
}

/** True for a frame carrying IPv4 protocol 112 (the frame loop's cheap test). */
export function isVrrpFrame(buf: Buffer, len: number): boolean {
  return (
    len >= ETH_HLEN + IPV4_MIN_LEN &&
    buf[Eth.Type] === 0x08 &&
    buf[Eth.Type + 1] === 0x00 &&
    buf[ETH_HLEN + Ipv4.Proto] === VRRP_PROTO
  );
}

export { VRRP_GROUP };
