// What the kernel told the live director about a frame and a capture file forgets: a capture of
// a host whose offloads are on holds frames whose TCP/UDP checksum is partial (the field holds
// only the pseudo-header sum: tcpdump calls it "incorrect") and GSO super-frames longer than the
// MTU. uvsd learns both from the virtio_net_hdr of its AF_PACKET socket; the replay rebuilds that
// header from the frame itself, so that the engine treats the frame as uvsd did:
// - the checksum does not verify but equals the folded pseudo-header sum → NEEDS_CSUM, with the
//   L4 header's start and the field's offset (a complete checksum equal to that value would
//   verify, and is checked first);
// - a TCP frame longer than the MTU → GSO TCPV4 cut at the MTU (the sender's MSS is not in the
//   capture: the size only tells the kernel where to cut, not what the frame's bytes are).
import { finish, fold, pseudoHeaderSum, readU16, sum16 } from '../packet/checksum.js';
import { Eth, ETH_HLEN, EtherType } from '../packet/ethernet.js';
import { Ipv4, ipv4HeaderLen, ipv4IsFragment, IpProto } from '../packet/ipv4.js';
import { Tcp, TCP_MIN_LEN } from '../packet/tcp.js';
import { Udp, UDP_HLEN } from '../packet/udp.js';
import {
  clearVnetHdr,
  setVnetU16,
  VnetFlag,
  VnetGso,
  VnetHdr,
  vnetHdrOf,
} from '../packet/virtio-net-hdr.js';

export interface OffloadHints {
  partial: boolean;
  gso: boolean;
}

/**
 * Writes the virtio_net_hdr before the frame at `off` (`len` bytes) from what the frame shows;
 * says what it found.
 */
export function writeOffloadHints(
  buf: Buffer,
  off: number,
  len: number,
  mtu: number,
): OffloadHints {
  const hdr = vnetHdrOf(off);
  clearVnetHdr(buf, hdr);
  const hints = { partial: false, gso: false };
  if (len < ETH_HLEN || buf.readUInt16BE(off + Eth.Type) !== EtherType.IPv4) return hints;
  const ip = off + ETH_HLEN;
  const ihl = ipv4HeaderLen(buf, ip, off + len);
  if (ihl === undefined || ipv4IsFragment(buf, ip)) return hints;
  const total = readU16(buf, ip + Ipv4.TotalLen);
  const proto = buf[ip + Ipv4.Proto]!;
  const l4 = ip + ihl;
  const l4len = total - ihl;
  if (ip + total > off + len) return hints;
  const csumAt = proto === IpProto.TCP ? Tcp.Csum : proto === IpProto.UDP ? Udp.Csum : -1;
  if (csumAt < 0 || l4len < (proto === IpProto.TCP ? TCP_MIN_LEN : UDP_HLEN)) return hints;
  const pseudo = pseudoHeaderSum(
    buf.readUInt32BE(ip + Ipv4.Src),
    buf.readUInt32BE(ip + Ipv4.Dst),
    proto,
    l4len,
  );
  const field = readU16(buf, l4 + csumAt);
  const complete =
    (proto === IpProto.UDP && field === 0) || finish(sum16(buf, l4, l4len, pseudo)) === 0;
  if (!complete && field === fold(pseudo)) {
    hints.partial = true;
    buf[hdr + VnetHdr.Flags] = VnetFlag.NeedsCsum;
    setVnetU16(buf, hdr, VnetHdr.CsumStart, l4 - off);
    setVnetU16(buf, hdr, VnetHdr.CsumOffset, csumAt);
  }
  if (proto === IpProto.TCP && total > mtu) {
    hints.gso = true;
    const tcpHl = (buf[l4 + Tcp.DataOff]! >> 4) * 4;
    buf[hdr + VnetHdr.GsoType] = VnetGso.TcpV4;
    setVnetU16(buf, hdr, VnetHdr.HdrLen, l4 - off + tcpHl);
    setVnetU16(buf, hdr, VnetHdr.GsoSize, mtu - ihl - tcpHl);
  }
  return hints;
}
