// The network layer of a traced frame, IPv4 or IPv6, as `uvsadm --trace` shows it: the
// header's tokens (addresses, TTL and header checksum, or hop limit) and where its upper layer
// starts, the IPv6 extension headers walked over. A tunnel's outer header (LVS-TUN: IPIP,
// IPv6-in-IPv6, and the mixed IPv6-in-IPv4 and IPv4-in-IPv6) is read the same way, its tokens
// keyed apart ("outer.…") so that only the inner header is compared with the frame received.
// Not on the fast path: it allocates.
import { formatIpv4, formatIpv6, readIpv4 } from '../packet/addr.js';
import { Ipv4, ipv4HeaderLen, IpProto } from '../packet/ipv4.js';
import {
  Ipv6,
  Ipv6ChainStatus,
  IPV6_FRAG_OFFMASK,
  IPV6_HLEN,
  Ipv6Frag,
  ipv6HeaderOk,
  newIpv6Chain,
  NextHeader,
  walkIpv6Chain,
} from '../packet/ipv6.js';
import type { Token } from './trace-token.js';

export const hex16 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

/** One IP header of a frame, read. */
export interface IpLayer {
  readonly family: 4 | 6;
  readonly tokens: Token[];
  /** The upper layer's protocol (IPv6: after the extension headers) and where it starts. */
  readonly proto: number;
  readonly l4: number;
  /** The end of the packet (never past the bytes kept). */
  readonly end: number;
  /** An IPv6 fragment other than the first: its upper-layer header is not there. */
  readonly laterFragment: boolean;
}

function ipv4Layer(b: Buffer, ip: number, len: number, prefix: string): IpLayer | undefined {
  const ihl = ipv4HeaderLen(b, ip, len);
  if (ihl === undefined) return undefined;
  return {
    family: 4,
    tokens: [
      { key: `${prefix}.src`, text: formatIpv4(readIpv4(b, ip + Ipv4.Src)) },
      { key: '', text: '>' },
      { key: `${prefix}.dst`, text: formatIpv4(readIpv4(b, ip + Ipv4.Dst)) },
      { key: `${prefix}.ttl`, text: `ttl ${b[ip + Ipv4.Ttl]!}` },
      { key: `${prefix}.sum`, text: `sum ${hex16(b.readUInt16BE(ip + Ipv4.Csum))}` },
    ],
    proto: b[ip + Ipv4.Proto]!,
    l4: ip + ihl,
    end: Math.min(len, ip + b.readUInt16BE(ip + Ipv4.TotalLen)),
    laterFragment: false,
  };
}

function ipv6Layer(b: Buffer, ip: number, len: number, prefix: string): IpLayer | undefined {
  if (!ipv6HeaderOk(b, ip, len)) return undefined;
  // The payload length may say more than the bytes kept (the trace keeps a frame's start).
  const end = Math.min(len, ip + IPV6_HLEN + b.readUInt16BE(ip + Ipv6.PayloadLen));
  const chain = newIpv6Chain();
  const status = walkIpv6Chain(b, ip, end, chain);
  return {
    family: 6,
    tokens: [
      { key: `${prefix}.src`, text: formatIpv6(b, ip + Ipv6.Src) },
      { key: '', text: '>' },
      { key: `${prefix}.dst`, text: formatIpv6(b, ip + Ipv6.Dst) },
      { key: `${prefix}.hlim`, text: `hlim ${b[ip + Ipv6.HopLimit]!}` },
    ],
    // A chain cut short shows as "proto 59 (cut short)": nothing readable follows.
    proto: status === Ipv6ChainStatus.Malformed ? NextHeader.NoNext : chain.proto,
    l4: status === Ipv6ChainStatus.Malformed ? end : chain.l4,
    end,
    laterFragment:
      status === Ipv6ChainStatus.Fragment &&
      (b.readUInt16BE(chain.fragHeader + Ipv6Frag.OffsetFlags) & IPV6_FRAG_OFFMASK) !== 0,
  };
}

/** The IP header of `family` at `ip`, its tokens keyed `prefix.…`; undefined when malformed. */
export function ipLayer(
  b: Buffer,
  family: 4 | 6,
  ip: number,
  len: number,
  prefix: string,
): IpLayer | undefined {
  return family === 4 ? ipv4Layer(b, ip, len, prefix) : ipv6Layer(b, ip, len, prefix);
}

/** The family of the packet a tunnel header carries (its protocol), or undefined: no tunnel. */
export function tunnelledFamily(proto: number): 4 | 6 | undefined {
  return proto === IpProto.IPIP ? 4 : proto === NextHeader.IPv6 ? 6 : undefined;
}

/** The tunnel's name as Linux names its devices: ipip, ip6ip6, sit (6 in 4), ipip6 (4 in 6). */
export function tunnelName(outer: 4 | 6, inner: 4 | 6): string {
  if (outer === 4) return inner === 4 ? 'ipip' : 'sit';
  return inner === 6 ? 'ip6ip6' : 'ipip6';
}
