// Whole Ethernet/IPv6/VRRP frames (RFC 5798 over IPv6, version 3 only): the master's adverts
// leave from the IPv6 virtual router MAC 00:00:5e:00:02:VRID (§7.3) and the interface's
// link-local address (§5.1.2.1) to ff02::12 (MAC 33:33:00:00:00:12, RFC 2464 §7) or a unicast
// peer, hop limit 255, next header 112, traffic class 0xc0 (network control, as keepalived
// sets IPV6_TCLASS); the checksum covers the IPv6 pseudo-header (§5.2.8).
import { readU16, writeU16 } from '../packet/checksum.js';
import { pseudoHeaderSum6 } from '../packet/checksum6.js';
import { Eth, ETH_HLEN, EtherType, writeEthHeader } from '../packet/ethernet.js';
import {
  Ipv6,
  Ipv6ChainStatus,
  IPV6_HLEN,
  ipv6PacketEnd,
  newIpv6Chain,
  walkIpv6Chain,
  writeIpv6VerTcFlow,
} from '../packet/ipv6.js';
import { readIpv6Big, writeIpv6Big } from './vrrp-addr.js';
import type { VrrpFrameFacts } from './vrrp-frame.js';
import { finishAdvert, VRRP_PROTO, VRRP_TTL, writeAdvert, type VrrpAdvert } from './vrrp-packet.js';

/** ff02::12, the VRRP group of IPv6 (RFC 5798 §5.1.2.2). */
export const VRRP_GROUP6 = 0xff020000000000000000000000000012n;

/** Traffic class of the adverts: 0xc0, as keepalived's IPV6_TCLASS. */
const TCLASS_NETWORK_CONTROL = 0xc0;

/** The IPv6 virtual router MAC of `vrid`: 00:00:5e:00:02:VRID (RFC 5798 §7.3). */
export function virtualRouterMac6(vrid: number): Buffer {
  return Buffer.from([0x00, 0x00, 0x5e, 0x00, 0x02, vrid & 0xff]);
}

/** The Ethernet multicast MAC of an IPv6 group: 33:33 and its last 32 bits (RFC 2464 §7). */
export function multicastMac6(group: bigint): Buffer {
  const b = Buffer.alloc(6);
  b[0] = 0x33;
  b[1] = 0x33;
  b.writeUInt32BE(Number(group & 0xffffffffn), 2);
  return b;
}

export interface AdvertFrameSpec6 {
  readonly srcMac: Buffer;
  readonly dstMac: Buffer;
  /** The interface's link-local address (or unicast_src_ip). */
  readonly src: bigint;
  readonly dst: bigint;
}

/** Writes the whole frame of `a` into `buf`; returns its length. */
export function buildAdvertFrame6(buf: Buffer, f: AdvertFrameSpec6, a: VrrpAdvert): number {
  writeEthHeader(buf, f.dstMac, f.srcMac, EtherType.IPv6);
  const ip = ETH_HLEN;
  const vrrp = ip + IPV6_HLEN;
  writeIpv6VerTcFlow(buf, ip, TCLASS_NETWORK_CONTROL, 0);
  buf[ip + Ipv6.NextHeader] = VRRP_PROTO;
  buf[ip + Ipv6.HopLimit] = VRRP_TTL;
  writeIpv6Big(buf, ip + Ipv6.Src, f.src);
  writeIpv6Big(buf, ip + Ipv6.Dst, f.dst);
  const len = writeAdvert(buf, vrrp, a, 6);
  writeU16(buf, ip + Ipv6.PayloadLen, len);
  finishAdvert(buf, vrrp, len, pseudoHeaderSum6(buf, ip, len, VRRP_PROTO));
  return vrrp + len;
}

/** Reused by every walk: VRRP frames are read one at a time on the main thread. */
const chain = newIpv6Chain();

/**
 * The VRRP packet of an Ethernet frame, or undefined when the frame is not an unfragmented
 * IPv6 packet whose upper layer is protocol 112. Reads in place; never throws.
 */
export function vrrpFrameFacts6(buf: Buffer, len: number): VrrpFrameFacts | undefined {
  if (len < ETH_HLEN + IPV6_HLEN || readU16(buf, Eth.Type) !== EtherType.IPv6) return undefined;
  const ip = ETH_HLEN;
  const end = ipv6PacketEnd(buf, ip, len);
  if (end === undefined) return undefined;
  if (walkIpv6Chain(buf, ip, end, chain) !== Ipv6ChainStatus.Upper || chain.proto !== VRRP_PROTO)
    return undefined;
  const vrrpLen = end - chain.l4;
  return {
    family: 6,
    src: readIpv6Big(buf, ip + Ipv6.Src),
    dst: readIpv6Big(buf, ip + Ipv6.Dst),
    ttl: buf[ip + Ipv6.HopLimit]!,
    off: chain.l4,
    len: vrrpLen,
    pseudo: pseudoHeaderSum6(buf, ip, vrrpLen, VRRP_PROTO),
  };
}
