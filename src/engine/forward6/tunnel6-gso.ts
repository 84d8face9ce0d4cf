// An IPv6 GSO super-frame sent through LVS-TUN: the virtio_net_hdr cannot say "TCP inside an
// IPv6 tunnel", so uvs cuts the super-frame itself, as the kernel's tcp6_gso_segment /
// udp6_ufo_fragment would (GSO types TCPV6 and UDP_L4), and encapsulates each segment: sequence
// number + payload per segment, FIN/PSH on the last only, CWR on the first only, payload length
// per segment, complete checksums under the IPv6 pseudo-header. Built in the arena.
import { writeU16 } from '../../packet/checksum.js';
import { setL4Checksum6 } from '../../packet/checksum6.js';
import { ETH_HLEN } from '../../packet/ethernet.js';
import { Ipv6, IPV6_HLEN, ipv6TrafficClass, NextHeader } from '../../packet/ipv6.js';
import { Tcp, TcpFlag } from '../../packet/tcp.js';
import { Udp, UDP_HLEN } from '../../packet/udp.js';
import { VnetGso, vnetGsoType, vnetHdrOf } from '../../packet/virtio-net-hdr.js';
import type { FrameFields } from '../frame-fields.js';
import type { LiveDest } from '../live-dest.js';
import { DropReason, Verdict } from '../verdict.js';
import type { ForwardContext6 } from './forward-context6.js';
import { outerLen, writeTunnelHeaders } from '../forward/tunnel-outer.js';

/** TCP's CWR flag (RFC 3168), kept on the first segment only. */
const TCP_CWR = 0x80;

/** Bytes of IPv6 (with extension headers) and L4 headers each segment repeats, or -1. */
function headersLen(buf: Buffer, f: FrameFields): number {
  const type = vnetGsoType(buf, vnetHdrOf(f.eth));
  const ipHdrs = f.l4 - f.ip;
  if (type === VnetGso.TcpV6 && f.proto === NextHeader.TCP)
    return ipHdrs + (buf[f.l4 + Tcp.DataOff]! >>> 4) * 4;
  if (type === VnetGso.UdpL4 && f.proto === NextHeader.UDP) return ipHdrs + UDP_HLEN;
  return -1;
}

export function tunnelSegments6(
  ctx: ForwardContext6,
  buf: Buffer,
  f: FrameFields,
  dest: LiveDest,
  mac: Buffer,
  ifMac: Buffer,
): Verdict {
  const hdrs = headersLen(buf, f);
  const payload = f.ipLen - hdrs;
  const mss = f.gsoSize;
  if (hdrs < 0 || payload <= 0) return ctx.drop(DropReason.BadGso);
  const ipHdrs = f.l4 - f.ip;
  const tc = ipv6TrafficClass(buf, f.ip);
  // Decremented by the caller: every segment and its outer header carry it.
  const hopLimit = buf[f.ip + Ipv6.HopLimit]!;
  const seq0 = f.proto === NextHeader.TCP ? buf.readUInt32BE(f.l4 + Tcp.Seq) : 0;
  const outer = outerLen(dest);
  const a = ctx.arena;
  for (let off = 0, k = 0; off < payload; off += mss, k++) {
    const seg = Math.min(mss, payload - off);
    const inner = hdrs + seg;
    const e = a.reserve(ETH_HLEN + outer + inner);
    if (e < 0) return ctx.drop(DropReason.NoRoom);
    const out = a.buf;
    writeTunnelHeaders(out, e, dest, mac, ifMac, NextHeader.IPv6, tc, inner, hopLimit);
    const ip = e + ETH_HLEN + outer;
    const l4 = ip + ipHdrs;
    buf.copy(out, ip, f.ip, f.ip + hdrs);
    buf.copy(out, ip + hdrs, f.ip + hdrs + off, f.ip + hdrs + off + seg);
    writeU16(out, ip + Ipv6.PayloadLen, inner - IPV6_HLEN);
    const l4len = inner - ipHdrs;
    if (f.proto === NextHeader.TCP) {
      out.writeUInt32BE((seq0 + off) >>> 0, l4 + Tcp.Seq);
      let flags = out[l4 + Tcp.Flags]!;
      if (off + seg < payload) flags &= ~(TcpFlag.FIN | TcpFlag.PSH);
      if (k > 0) flags &= ~TCP_CWR;
      out[l4 + Tcp.Flags] = flags;
    } else {
      writeU16(out, l4 + Udp.Len, l4len);
    }
    setL4Checksum6(out, ip, l4, l4len, f.proto);
    ctx.emit(out, e, ETH_HLEN + outer + inner, dest.ifIndex);
  }
  return Verdict.Forward;
}
