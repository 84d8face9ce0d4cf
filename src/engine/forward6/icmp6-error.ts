// ICMPv6 errors the director sends itself, as the kernel's icmpv6_send does for IPVS: "packet
// too big" (type 2, RFC 4443 3.2) with the MTU for a packet that does not fit the path — an
// IPv6 router never fragments, so there is no DF to look at: it is always an error — and "port
// unreachable" (type 1 code 4) for a new connection no real server can take (ip_vs_leave).
// Built in the arena, quoting as much of the packet as keeps the error within 1280 bytes.
import { copyMac, Eth, ETH_HLEN, EtherType } from '../../packet/ethernet.js';
import { writeU16 } from '../../packet/checksum.js';
import { Icmp6Type, ICMPV6_HLEN, writeIcmpv6Error } from '../../packet/icmpv6.js';
import { IPV6_HLEN, IPV6_MIN_MTU } from '../../packet/ipv6.js';
import { FrameStat } from '../shared/thread-stats.js';
import { DropReason, Verdict } from '../verdict.js';
import type { ForwardContext6, Icmp6ErrorRoute } from './forward-context6.js';

/**
 * Builds and sends the ICMPv6 error `type`/`code` with `param` (the MTU of packet too big)
 * quoting the IPv6 packet at `ip` (`ipLen` bytes) of `buf`.
 */
export function sendIcmp6Error(
  ctx: ForwardContext6,
  buf: Buffer,
  ip: number,
  ipLen: number,
  route: Icmp6ErrorRoute,
  type: Icmp6Type,
  code: number,
  param: number,
  now: number,
): Verdict {
  const tooBig = type === Icmp6Type.PacketTooBig;
  if (!ctx.icmpAllowed(now)) return ctx.drop(tooBig ? DropReason.TooBig : DropReason.NoDest);
  const ifMac = ctx.config.interfaceMac(route.outIf);
  if (!ifMac) return ctx.drop(DropReason.NoInterface);
  const quote = Math.min(ipLen, IPV6_MIN_MTU - IPV6_HLEN - ICMPV6_HLEN);
  const a = ctx.arena;
  const e = a.reserve(ETH_HLEN + IPV6_HLEN + ICMPV6_HLEN + quote);
  if (e < 0) return ctx.drop(DropReason.NoRoom);
  const out = a.buf;
  copyMac(out, e + Eth.Dst, route.mac, route.macOff);
  copyMac(out, e + Eth.Src, ifMac, 0);
  writeU16(out, e + Eth.Type, EtherType.IPv6);
  const len = writeIcmpv6Error(
    out,
    e + ETH_HLEN,
    route.src,
    route.srcOff,
    route.dst,
    route.dstOff,
    type,
    code,
    param,
    buf,
    ip,
    quote,
  );
  ctx.emit(out, e, ETH_HLEN + len, route.outIf);
  ctx.stats.frame(tooBig ? FrameStat.FragNeeded : FrameStat.PortUnreachable);
  return Verdict.Reply;
}
