// ICMP errors the director sends itself, as the kernel's icmp_send does for IPVS: "fragmentation
// needed" (type 3 code 4, RFC 1191) for a DF packet too big for the path, "port unreachable"
// (type 3 code 3) for a new connection no real server can take (ip_vs_leave). Built in the arena,
// from the address the packet was sent to, quoting its IP header and the start of its payload.
import { writeIpv4 } from '../../packet/addr.js';
import { finish, sum16, writeU16 } from '../../packet/checksum.js';
import { copyMac, Eth, ETH_HLEN, EtherType } from '../../packet/ethernet.js';
import { Icmp, ICMP_CODE_FRAG_NEEDED, ICMP_HLEN, IcmpType } from '../../packet/icmp.js';
import { Ipv4, ipv4SetChecksum, IpProto, IPV4_MIN_LEN } from '../../packet/ipv4.js';
import { FrameStat } from '../shared/thread-stats.js';
import { DropReason, Verdict } from '../verdict.js';
import type { ForwardContext, IcmpErrorRoute } from './forward-context.js';

const ICMP_TTL = 64;
/** An ICMP error fits in 576 bytes (RFC 1812 4.3.2.3; the kernel's icmp_send). */
const ICMP_ERROR_MAX = 576;

/**
 * Builds and sends an ICMP destination-unreachable `code` (with `nextHopMtu` for code 4)
 * quoting the IP packet at `ip` (its total length `ipLen`) of `buf`.
 */
export function sendIcmpUnreachable(
  ctx: ForwardContext,
  buf: Buffer,
  ip: number,
  ipLen: number,
  route: IcmpErrorRoute,
  code: number,
  nextHopMtu: number,
  now: number,
): Verdict {
  const reason = code === ICMP_CODE_FRAG_NEEDED ? DropReason.TooBig : DropReason.NoDest;
  if (!ctx.icmpAllowed(now)) return ctx.drop(reason);
  const ifMac = ctx.config.interfaceMac(route.outIf);
  if (!ifMac) return ctx.drop(DropReason.NoInterface);
  const ihl = (buf[ip + Ipv4.VerIhl]! & 0x0f) * 4;
  // Frag needed quotes the header and 8 bytes (RFC 792); other errors as much as fits in 576.
  const quote =
    code === ICMP_CODE_FRAG_NEEDED
      ? Math.min(ipLen, ihl + 8)
      : Math.min(ipLen, ICMP_ERROR_MAX - IPV4_MIN_LEN - ICMP_HLEN);
  const total = IPV4_MIN_LEN + ICMP_HLEN + quote;
  const a = ctx.arena;
  const e = a.reserve(ETH_HLEN + total);
  if (e < 0) return ctx.drop(DropReason.NoRoom);
  const out = a.buf;
  copyMac(out, e + Eth.Dst, route.mac, route.macOff);
  copyMac(out, e + Eth.Src, ifMac, 0);
  writeU16(out, e + Eth.Type, EtherType.IPv4);
  const o = e + ETH_HLEN;
  out[o + Ipv4.VerIhl] = 0x45;
  out[o + Ipv4.Tos] = 0xc0; // internetwork control, as the kernel's ICMP errors
  writeU16(out, o + Ipv4.TotalLen, total);
  writeU16(out, o + Ipv4.Id, 0);
  writeU16(out, o + Ipv4.FragOff, 0);
  out[o + Ipv4.Ttl] = ICMP_TTL;
  out[o + Ipv4.Proto] = IpProto.ICMP;
  writeIpv4(out, o + Ipv4.Src, route.from);
  writeIpv4(out, o + Ipv4.Dst, route.to);
  ipv4SetChecksum(out, o);
  const icmp = o + IPV4_MIN_LEN;
  out[icmp + Icmp.Type] = IcmpType.DestUnreachable;
  out[icmp + Icmp.Code] = code;
  writeU16(out, icmp + Icmp.Csum, 0);
  writeU16(out, icmp + Icmp.Id, 0);
  writeU16(out, icmp + Icmp.NextHopMtu, code === ICMP_CODE_FRAG_NEEDED ? nextHopMtu : 0);
  buf.copy(out, icmp + Icmp.Quoted, ip, ip + quote);
  writeU16(out, icmp + Icmp.Csum, finish(sum16(out, icmp, ICMP_HLEN + quote)));
  ctx.emit(out, e, ETH_HLEN + total, route.outIf);
  ctx.stats.frame(
    code === ICMP_CODE_FRAG_NEEDED ? FrameStat.FragNeeded : FrameStat.PortUnreachable,
  );
  return Verdict.Reply;
}
