// Neighbour discovery (RFC 4861) on a forwarding thread, as userspace ARP is for IPv4: the MACs
// of IPv6 next hops read from the shared NeighbourTable6, learnt from the advertisements and
// solicitations that arrive, asked for by a multicast solicitation (at most one a second per
// address, whichever thread asks); and the advertisement that answers a solicitation for a VIP
// uvsd holds itself (no kernel interface has it: the kernel would not answer). The main thread
// keeps the entries fresh (daemon/ and net/ndp-neighbours.ts). Nothing is allocated per frame.
import { Eth, ETH_HLEN } from '../packet/ethernet.js';
import { readIpv6Words } from '../packet/addr.js';
import { Icmp6Type } from '../packet/icmpv6.js';
import { Ipv6, IPV6_HLEN } from '../packet/ipv6.js';
import {
  buildNeighborSolicit,
  NaFlag,
  naFlags,
  Ndp,
  NDP_FRAME_LEN,
  ndpLinkLayerAddr,
  NdpOption,
  ndpValidate,
  neighborAdvertReplyInPlace,
} from '../packet/ndp.js';
import { clearVnetHdr, vnetHdrOf } from '../packet/virtio-net-hdr.js';
import type { Neighbours6 } from './forward/forward-context.js';
import type { ForwardContext6 } from './forward6/forward-context6.js';
import type { NeighbourTable6 } from './shared/neighbour-table6.js';
import { FrameStat } from './shared/thread-stats.js';
import { Verdict } from './verdict.js';

/** What the NDP side needs of the engine (ForwardContext6 without the table's own fields). */
type NdpHost = Pick<ForwardContext6, 'config' | 'arena' | 'stats' | 'emit' | 'notOurs'>;

export class EngineNdp implements Neighbours6 {
  private readonly macOut = Buffer.alloc(6);
  private readonly known = Buffer.alloc(6);
  private readonly target = new Uint32Array(4);

  constructor(
    private readonly table: NeighbourTable6,
    private readonly host: NdpHost,
  ) {}

  mac(addr: Buffer, off: number): Buffer | undefined {
    return this.table.lookup(addr, off, this.macOut, 0) ? this.macOut : undefined;
  }

  request(addr: Buffer, off: number, ifIndex: number, now: number): void {
    if (!this.table.ask(addr, off, ifIndex, now)) return;
    const cfg = this.host.config;
    const ifMac = cfg.interfaceMac(ifIndex);
    readIpv6Words(addr, off, this.target);
    const src = cfg.v6.sourceFor(ifIndex, this.target, 0);
    if (!ifMac || !src) return;
    const a = this.host.arena;
    const e = a.reserve(NDP_FRAME_LEN);
    if (e < 0) return;
    const len = buildNeighborSolicit(a.buf, ifMac, src, 0, addr, off, undefined, e);
    this.host.emit(a.buf, e, len, ifIndex);
  }

  /**
   * A neighbour solicitation or advertisement (ICMPv6 at `icmp`, the packet ending at `end`) of
   * the frame at `off`: learnt from; a solicitation for a VIP that uvsd holds itself answered in
   * place. Anything else is the kernel's.
   */
  handle(
    buf: Buffer,
    off: number,
    icmp: number,
    end: number,
    ifIndex: number,
    now: number,
  ): Verdict {
    const ip = off + ETH_HLEN;
    const type = ndpValidate(buf, ip, icmp, end);
    if (type === Icmp6Type.NeighborAdvert) {
      this.learnAdvert(buf, off, icmp, end, ifIndex, now);
      return this.host.notOurs();
    }
    if (type !== Icmp6Type.NeighborSolicit) return this.host.notOurs();
    const lla = ndpLinkLayerAddr(buf, icmp, end, NdpOption.SourceLinkAddr);
    if (lla >= 0) this.table.learn(buf, ip + Ipv6.Src, buf, lla, ifIndex, now);
    return this.answer(buf, off, icmp, ifIndex);
  }

  private learnAdvert(
    buf: Buffer,
    off: number,
    icmp: number,
    end: number,
    ifIndex: number,
    now: number,
  ): void {
    const target = icmp + Ndp.Target;
    const lla = ndpLinkLayerAddr(buf, icmp, end, NdpOption.TargetLinkAddr);
    const macOff = lla >= 0 ? lla : off + Eth.Src;
    // Without the override flag, an advertisement does not replace a known, different MAC.
    if (
      (naFlags(buf, icmp) & NaFlag.Override) === 0 &&
      this.table.lookup(buf, target, this.known, 0) &&
      this.known.compare(buf, macOff, macOff + 6) !== 0
    )
      return;
    this.table.learn(buf, target, buf, macOff, ifIndex, now);
  }

  /** The advertisement for a solicited VIP that no kernel interface holds; NotOurs otherwise. */
  private answer(buf: Buffer, off: number, icmp: number, ifIndex: number): Verdict {
    const cfg = this.host.config;
    readIpv6Words(buf, icmp + Ndp.Target, this.target);
    if (!cfg.v6.isVip(this.target, 0) || cfg.v6.isLocal(this.target, 0)) return this.host.notOurs();
    const ifMac = cfg.interfaceMac(ifIndex);
    // The reply is written over the solicitation: it must start right after the IPv6 header.
    if (!ifMac || icmp !== off + ETH_HLEN + IPV6_HLEN || buf.length < off + NDP_FRAME_LEN)
      return this.host.notOurs();
    const len = neighborAdvertReplyInPlace(buf, ifMac, false, off);
    clearVnetHdr(buf, vnetHdrOf(off));
    this.host.emit(buf, off, len, ifIndex);
    this.host.stats.frame(FrameStat.Replied);
    return Verdict.Reply;
  }
}
