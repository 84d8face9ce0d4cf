// ICMPv6 errors about a connection, rewritten as IPVS does (ip_vs_in_icmp_v6 /
// ip_vs_out_icmp_v6): the outer header follows the connection, the quoted packet is rewritten to
// what its receiver knows, and the ICMPv6 checksum is computed again over the message (its
// pseudo-header holds the outer addresses). A "packet too big" from a router beyond the director
// about a tunnelled packet lowers the path MTU toward that real server and is relayed to the
// client with the MTU left for its packets.
import { readIpv6Words } from '../../packet/addr.js';
import { readU16, writeU16 } from '../../packet/checksum.js';
import { setL4Checksum6 } from '../../packet/checksum6.js';
import { Icmp6, Icmp6Type, icmpv6Mtu } from '../../packet/icmpv6.js';
import {
  Ipv6,
  IPV6_HLEN,
  Ipv6ChainStatus,
  ipv6HeaderOk,
  newIpv6Chain,
  NextHeader,
  walkIpv6Chain,
} from '../../packet/ipv6.js';
import { writeIpv6Words } from '../../packet/addr.js';
import { Cf, Cf6, ConnFlag } from '../conn-layout.js';
import type { FrameFields } from '../frame-fields.js';
import { FwdMethod } from '../model.js';
import { DropReason, Verdict } from '../verdict.js';
import type { ForwardContext6 } from './forward-context6.js';
import { moveToClient6, moveToDest6 } from './forwarders6.js';
import { sendIcmp6Error } from './icmp6-error.js';
import { routedDest6 } from './path6.js';
import { decrementHopLimit } from './rewrite6.js';
import { forwardTunnel6 } from './tunnel6.js';

/** The quoted packet's addresses and ports, and where its header and L4 header are. */
class Quote {
  readonly chain = newIpv6Chain();
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  ip = 0;
  l4 = 0;
  proto = 0;
  sport = 0;
  dport = 0;

  /** Reads the IPv6 packet quoted at `q` (up to `end`); false unless TCP/UDP with its ports. */
  read(buf: Buffer, q: number, end: number): boolean {
    if (!ipv6HeaderOk(buf, q, end)) return false;
    const status = walkIpv6Chain(buf, q, end, this.chain);
    if (status === Ipv6ChainStatus.Malformed) return false;
    this.ip = q;
    this.proto = this.chain.proto;
    this.l4 = this.chain.l4;
    readIpv6Words(buf, q + Ipv6.Src, this.src);
    readIpv6Words(buf, q + Ipv6.Dst, this.dst);
    if (status !== Ipv6ChainStatus.Upper) return this.proto === NextHeader.IPv6;
    if (this.proto !== NextHeader.TCP && this.proto !== NextHeader.UDP)
      return this.proto === NextHeader.IPv6;
    if (this.l4 + 4 > end) return false;
    this.sport = readU16(buf, this.l4);
    this.dport = readU16(buf, this.l4 + 2);
    return true;
  }
}

export class Icmp6Related {
  private readonly q = new Quote();
  private readonly inner = new Quote();

  constructor(private readonly ctx: ForwardContext6) {}

  /** The ICMPv6 error at f.l4 (ending at `end`): rewritten and forwarded, or not ours. */
  forward(buf: Buffer, f: FrameFields): Verdict {
    const ctx = this.ctx;
    const end = f.ip + f.ipLen;
    const q = this.q;
    if (!q.read(buf, f.l4 + Icmp6.Quoted, end)) return ctx.notOurs();
    if (q.proto === NextHeader.IPv6) return this.relayTunnelTooBig(buf, f, end);
    const c = ctx.conns6;
    // About a packet the director sent to the client (VIP → client): goes to the real server.
    let i = c.lookupIn6(q.proto, q.dst, 0, q.dport, q.src, 0, q.sport);
    if (i >= 0) {
      const method = c.flags(i) & ConnFlag.MethodMask;
      if (method === FwdMethod.Masq) {
        // Outer destination VIP → RIP; quoted source VIP:vport → RIP:rport.
        const d = c.addrOff(i, Cf6.Daddr);
        writeIpv6Words(buf, f.ip + Ipv6.Dst, c.u, d);
        writeIpv6Words(buf, q.ip + Ipv6.Src, c.u, d);
        writeU16(buf, q.l4, c.dport(i));
        if (!decrementHopLimit(buf, f.ip)) return ctx.drop(DropReason.TtlExpired);
        setL4Checksum6(buf, f.ip, f.l4, end - f.l4, NextHeader.ICMPv6);
      }
      // TUN servers get the error through the tunnel, like the connection's packets.
      if (method === FwdMethod.Tunnel) {
        const dest = routedDest6(ctx, i);
        return dest ? forwardTunnel6(ctx, buf, f, i, dest) : Verdict.Drop;
      }
      return moveToDest6(ctx, buf, f, i);
    }
    // About a packet a real server received (client → RIP): goes back to the client.
    i = c.lookupOut6(q.proto, q.dst, 0, q.dport, q.src, 0, q.sport);
    if (i >= 0 && (c.flags(i) & ConnFlag.MethodMask) === FwdMethod.Masq) {
      const ifMac = ctx.config.interfaceMac(c.word(i, Cf.ClientIf));
      if (!ifMac) return ctx.drop(DropReason.NoInterface);
      if (!decrementHopLimit(buf, f.ip)) return ctx.drop(DropReason.TtlExpired);
      const v = c.addrOff(i, Cf6.Vaddr);
      writeIpv6Words(buf, f.ip + Ipv6.Src, c.u, v);
      writeIpv6Words(buf, q.ip + Ipv6.Dst, c.u, v);
      writeU16(buf, q.l4 + 2, c.vport(i));
      setL4Checksum6(buf, f.ip, f.l4, end - f.l4, NextHeader.ICMPv6);
      return moveToClient6(ctx, buf, f, i, ifMac);
    }
    return ctx.notOurs();
  }

  /**
   * "Packet too big" from a router beyond the director, quoting one of its IPv6-in-IPv6
   * packets: the path MTU toward that real server is lowered and the client told the MTU left.
   */
  private relayTunnelTooBig(buf: Buffer, f: FrameFields, end: number): Verdict {
    const ctx = this.ctx;
    if (buf[f.l4 + Icmp6.Type] !== Icmp6Type.PacketTooBig) return ctx.notOurs();
    const outer = this.q;
    const inner = this.inner;
    if (!inner.read(buf, outer.l4, end) || inner.proto === NextHeader.IPv6) return ctx.notOurs();
    const c = ctx.conns6;
    const i = c.lookupIn6(inner.proto, inner.src, 0, inner.sport, inner.dst, 0, inner.dport);
    if (i < 0 || (c.flags(i) & ConnFlag.MethodMask) !== FwdMethod.Tunnel) return ctx.notOurs();
    const dest = ctx.config.destsById[c.word(i, Cf.DestId)];
    const mtu = icmpv6Mtu(buf, f.l4);
    if (!dest || dest.family !== 6 || !sameWords(dest.addr6, outer.dst) || mtu < 1280)
      return ctx.notOurs();
    dest.learnMtu(mtu);
    c.copyClientMac(i, ctx.macScratch, 0);
    const route = ctx.route6;
    route.src = buf;
    route.srcOff = inner.ip + Ipv6.Dst;
    route.dst = buf;
    route.dstOff = inner.ip + Ipv6.Src;
    route.mac = ctx.macScratch;
    route.macOff = 0;
    route.outIf = c.word(i, Cf.ClientIf);
    return sendIcmp6Error(
      ctx,
      buf,
      inner.ip,
      end - inner.ip,
      route,
      Icmp6Type.PacketTooBig,
      0,
      mtu - IPV6_HLEN,
      f.now,
    );
  }
}

function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}
