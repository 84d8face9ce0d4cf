// Where a traced frame was going: its family, protocol, destination address and port. The
// trace of one service also shows the frames addressed to it that made no connection (a
// dropped SYN, a segment of no connection): they are found by this. Not on the fast path.
import { formatIpv4, formatIpv6, readIpv4 } from '../packet/addr.js';
import { ETH_HLEN, EtherType, ethType } from '../packet/ethernet.js';
import { Ipv4 } from '../packet/ipv4.js';
import { Ipv6, NextHeader } from '../packet/ipv6.js';
import { ipLayer } from './ip-layer.js';

export interface FrameDestination {
  readonly family: 4 | 6;
  /** The upper layer's protocol (IPv6: after its extension headers). */
  readonly proto: number;
  /** The destination address, as ipvsadm prints it (IPv6 canonical, without brackets). */
  readonly addr: string;
  /** The TCP or UDP destination port (0 for another protocol or a later fragment). */
  readonly port: number;
}

/** The destination of an Ethernet frame carrying IPv4 or IPv6, or undefined. */
export function frameDestination(f: Buffer): FrameDestination | undefined {
  if (f.length < ETH_HLEN) return undefined;
  const type = ethType(f, 0);
  if (type !== EtherType.IPv4 && type !== EtherType.IPv6) return undefined;
  const family = type === EtherType.IPv4 ? 4 : 6;
  const ip = ipLayer(f, family, ETH_HLEN, f.length, 'ip');
  if (!ip) return undefined;
  const addr =
    family === 4
      ? formatIpv4(readIpv4(f, ETH_HLEN + Ipv4.Dst))
      : formatIpv6(f, ETH_HLEN + Ipv6.Dst);
  const ports = ip.proto === NextHeader.TCP || ip.proto === NextHeader.UDP;
  const port = ports && !ip.laterFragment && ip.l4 + 4 <= ip.end ? f.readUInt16BE(ip.l4 + 2) : 0;
  return { family, proto: ip.proto, addr, port };
}
