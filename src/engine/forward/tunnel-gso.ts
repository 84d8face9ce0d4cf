// A GSO super-frame sent through LVS-TUN: the virtio_net_hdr has no way to say "TCP inside
// IPIP" (the kernel's SKB_GSO_IPXIP4 is not one of its GSO types), so uvs cuts the super-frame
// itself, as the kernel's tcp_gso_segment / udp4_ufo_fragment would, and encapsulates each
// segment: IP identifier +1 and sequence number + payload per segment, FIN/PSH on the last only,
// CWR on the first only, complete checksums. The segments are built in the arena.
import { finish, pseudoHeaderSum, readU16, sum16, writeU16 } from '../../packet/checksum.js';
import { ETH_HLEN } from '../../packet/ethernet.js';
import { IP_DF, Ipv4, ipv4SetChecksum, IpProto } from '../../packet/ipv4.js';
import { Tcp, TcpFlag } from '../../packet/tcp.js';
import { Udp, UDP_HLEN } from '../../packet/udp.js';
import { VnetGso, vnetGsoType, vnetHdrOf } from '../../packet/virtio-net-hdr.js';
import { readIpv4Bits } from '../../packet/addr.js';
import type { FrameFields } from '../frame-fields.js';
import type { LiveDest } from '../live-dest.js';
import { DropReason, Verdict } from '../verdict.js';
import type { ForwardContext } from './forward-context.js';
import { outerLen, writeTunnelHeaders } from './tunnel-outer.js';

/** TCP's CWR flag (RFC 3168), kept on the first segment only. */
const TCP_CWR = 0x80;

/** A TCP segment's sequence number, flags (FIN/PSH on the last, CWR on the first) and checksum. */
function finishTcpSegment(
  out: Buffer,
  l4: number,
  l4len: number,
  seq: number,
  first: boolean,
  last: boolean,
  src: number,
  dst: number,
): void {
  out.writeUInt32BE(seq, l4 + Tcp.Seq);
  let flags = out[l4 + Tcp.Flags]!;
  if (!last) flags &= ~(TcpFlag.FIN | TcpFlag.PSH);
  if (!first) flags &= ~TCP_CWR;
  out[l4 + Tcp.Flags] = flags;
  writeU16(out, l4 + Tcp.Csum, 0);
  const sum = sum16(out, l4, l4len, pseudoHeaderSum(src, dst, IpProto.TCP, l4len));
  writeU16(out, l4 + Tcp.Csum, finish(sum));
}

/** A UDP fragment's length and checksum (0 sent as 0xffff). */
function finishUdpSegment(out: Buffer, l4: number, l4len: number, src: number, dst: number): void {
  writeU16(out, l4 + Udp.Len, l4len);
  writeU16(out, l4 + Udp.Csum, 0);
  const c = finish(sum16(out, l4, l4len, pseudoHeaderSum(src, dst, IpProto.UDP, l4len)));
  writeU16(out, l4 + Udp.Csum, c === 0 ? 0xffff : c);
}

export function tunnelSegments(
  ctx: ForwardContext,
  buf: Buffer,
  f: FrameFields,
  dest: LiveDest,
  mac: Buffer,
  ifMac: Buffer,
): Verdict {
  const type = vnetGsoType(buf, vnetHdrOf(f.eth));
  const ihl = f.l4 - f.ip;
  let hdrs: number;
  if (type === VnetGso.TcpV4 && f.proto === IpProto.TCP)
    hdrs = ihl + (buf[f.l4 + Tcp.DataOff]! >>> 4) * 4;
  else if (type === VnetGso.UdpL4 && f.proto === IpProto.UDP) hdrs = ihl + UDP_HLEN;
  else return ctx.drop(DropReason.BadGso);
  const payload = f.ipLen - hdrs;
  const mss = f.gsoSize;
  if (payload <= 0 || f.l4 + hdrs - ihl > f.ip + f.ipLen) return ctx.drop(DropReason.BadGso);
  const tos = buf[f.ip + Ipv4.Tos]!;
  // The inner TTL, decremented by the caller: every segment and its outer header carry it.
  const ttl = buf[f.ip + Ipv4.Ttl]!;
  const df = readU16(buf, f.ip + Ipv4.FragOff) & IP_DF;
  const id0 = readU16(buf, f.ip + Ipv4.Id);
  const seq0 = buf.readUInt32BE(f.l4 + Tcp.Seq);
  const src = readIpv4Bits(buf, f.ip + Ipv4.Src);
  const dst = readIpv4Bits(buf, f.ip + Ipv4.Dst);
  const a = ctx.arena;
  const outer = outerLen(dest);
  for (let off = 0, k = 0; off < payload; off += mss, k++) {
    const seg = Math.min(mss, payload - off);
    const inner = hdrs + seg;
    const e = a.reserve(ETH_HLEN + outer + inner);
    if (e < 0) return ctx.drop(DropReason.NoRoom);
    const out = a.buf;
    // IPIP, or IPv4 in IPv6 toward an IPv6 real server.
    writeTunnelHeaders(out, e, dest, mac, ifMac, IpProto.IPIP, tos, inner, ttl, df);
    const ip = e + ETH_HLEN + outer;
    const l4 = ip + ihl;
    buf.copy(out, ip, f.ip, f.ip + hdrs);
    buf.copy(out, ip + hdrs, f.ip + hdrs + off, f.ip + hdrs + off + seg);
    writeU16(out, ip + Ipv4.TotalLen, inner);
    writeU16(out, ip + Ipv4.Id, (id0 + k) & 0xffff);
    ipv4SetChecksum(out, ip);
    const l4len = inner - ihl;
    if (f.proto === IpProto.TCP)
      finishTcpSegment(out, l4, l4len, (seq0 + off) >>> 0, k === 0, off + seg >= payload, src, dst);
    else finishUdpSegment(out, l4, l4len, src, dst);
    ctx.emit(out, e, ETH_HLEN + outer + inner, dest.ifIndex);
  }
  return Verdict.Forward;
}
