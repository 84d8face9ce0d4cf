// Userspace neighbour discovery (RFC 4861) for IPv6, as daemon/neighbours.ts is ARP for IPv4:
// the MACs of real servers and gateways, resolved by uvs itself (multicast solicitation to the
// solicited-node group), learnt from advertisements and solicitations that arrive, refreshed
// while in use (unicast solicitation to the cached MAC, as RFC 4861 7.3.3's PROBE), and
// forgotten when they stop answering. It also answers solicitations for the VIPs that uvsd
// holds itself (no kernel interface has them) and sends unsolicited advertisements where
// uvsd sends gratuitous ARP for IPv4. Logic over a frame sender, a clock and a store of the
// entries: uvsd's is the shared NeighbourTable6 (engine/shared/neighbour-table6.ts), which the
// forwarding threads read, learn into and ask through; this is the main thread's side of it.
import { ipv6Equal } from '../packet/addr.js';
import { Eth, ETH_HLEN, EtherType } from '../packet/ethernet.js';
import { Icmp6Type } from '../packet/icmpv6.js';
import {
  IPV6_HLEN,
  Ipv6,
  Ipv6ChainStatus,
  ipv6PacketEnd,
  newIpv6Chain,
  NextHeader,
  walkIpv6Chain,
} from '../packet/ipv6.js';
import {
  buildNeighborSolicit,
  buildUnsolicitedNeighborAdvert,
  NaFlag,
  naFlags,
  Ndp,
  NDP_FRAME_LEN,
  ndpLinkLayerAddr,
  NdpOption,
  ndpValidate,
  neighborAdvertReplyInPlace,
} from '../packet/ndp.js';
import { FIRST_FRAME_OFFSET } from '../packet/frame-layout.js';
import { inIpv6Prefix, type Ipv6IfAddress } from './interface-addrs6.js';

/** Sends the frame at `off` of `buf` (`len` bytes, its virtio_net_hdr before it) on `ifIndex`. */
export type NdpFrameSender = (ifIndex: number, buf: Buffer, off: number, len: number) => boolean;

/** Unanswered solicitations for an address are given up after TRIES (one a second). */
const TRIES = 3;
/** An entry older than this is probed by refresh(); unanswered for 3 probes, it is dropped. */
const REFRESH_AFTER_MS = 30_000;

/** Where the entries live: addresses as 16 bytes at an offset, upkeep by slot. */
export interface NdpStore {
  lookup(addr: Buffer, off: number, out: Buffer, outOff: number): boolean;
  /** Records the MAC of an address that is asked for or known; false otherwise. */
  learn(
    addr: Buffer,
    off: number,
    mac: Buffer,
    macOff: number,
    ifIndex: number,
    now: number,
  ): boolean;
  /** Marks the address as wanted; true when a solicitation should go now (1 s rate limit). */
  ask(addr: Buffer, off: number, ifIndex: number, now: number): boolean;
  slots(): IterableIterator<number>;
  addressOf(slot: number, out: Buffer, off: number): void;
  /** 1: asked for, not answered yet; 2: known. */
  stateAt(slot: number): number;
  macAt(slot: number, out: Buffer, off: number): boolean;
  ifIndexAt(slot: number): number;
  /** Second (clock / 1000) of the last solicitation. */
  askedAt(slot: number): number;
  updatedAt(slot: number): number;
  unanswered(slot: number): number;
  forget(slot: number): void;
}

/** A store slot asked for and not answered yet (NeighbourState.Pending). */
const PENDING = 1;

/** What the module needs to know of an interface: its MAC and IPv6 addresses. */
export interface NdpInterface {
  readonly ifIndex: number;
  readonly mac: Buffer;
  readonly addrs6: readonly Ipv6IfAddress[];
}

export interface NdpInterfaces {
  get(ifIndex: number): NdpInterface | undefined;
}

export class NdpNeighbours {
  /** VIPs uvsd answers solicitations for. */
  private answered: readonly Buffer[] = [];
  /** A frame laid out as packet/frame-layout.ts says (zeroed virtio_net_hdr before it). */
  private readonly txBuf = Buffer.alloc(FIRST_FRAME_OFFSET + NDP_FRAME_LEN);
  private readonly chain = newIpv6Chain();
  private readonly mac = Buffer.alloc(6);
  private readonly known = Buffer.alloc(6);
  private readonly addr = Buffer.alloc(16);

  constructor(
    private readonly send: NdpFrameSender,
    private readonly ifaces: NdpInterfaces,
    private readonly store: NdpStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** MAC of the IPv6 address at `buf[off]`, or undefined (reused by the next call). */
  lookup(buf: Buffer, off: number): Buffer | undefined {
    return this.store.lookup(buf, off, this.mac, 0) ? this.mac : undefined;
  }

  /** The VIPs (16 bytes each) whose solicitations uvsd answers itself. */
  answerFor(vips: readonly Buffer[]): void {
    this.answered = vips.map((v) => Buffer.from(v));
  }

  /**
   * Takes the frame at `off` of `buf` (`len` bytes) that arrived on `ifIndex`: learns from a
   * valid advertisement or solicitation about an address we care about, and turns a
   * solicitation for an answered VIP into the advertisement, in place. Returns the length of
   * that reply (to send back on `ifIndex`, from `off`), or 0. (uvsd's forwarding threads do
   * this in the fast path: engine/ndp6.ts.)
   */
  handle(buf: Buffer, off: number, len: number, ifIndex: number): number {
    const ip = off + ETH_HLEN;
    const end = this.ipv6End(buf, off, len);
    if (end < 0) return 0;
    const status = walkIpv6Chain(buf, ip, end, this.chain);
    if (status !== Ipv6ChainStatus.Upper || this.chain.proto !== NextHeader.ICMPv6) return 0;
    const icmp = this.chain.l4;
    const type = ndpValidate(buf, ip, icmp, end);
    if (type === Icmp6Type.NeighborAdvert) {
      this.learnAdvert(buf, off, icmp, end, ifIndex);
      return 0;
    }
    if (type !== Icmp6Type.NeighborSolicit) return 0;
    const lla = ndpLinkLayerAddr(buf, icmp, end, NdpOption.SourceLinkAddr);
    // Not from the unspecified address (DAD), and an address given.
    if (lla >= 0) this.store.learn(buf, ip + Ipv6.Src, buf, lla, ifIndex, this.clock());
    return this.answer(buf, off, icmp, ifIndex);
  }

  /** End of the IPv6 packet of the frame at `off`, or -1 when it is not one. */
  private ipv6End(buf: Buffer, off: number, len: number): number {
    if (len < ETH_HLEN || buf.readUInt16BE(off + Eth.Type) !== EtherType.IPv6) return -1;
    return ipv6PacketEnd(buf, off + ETH_HLEN, off + len) ?? -1;
  }

  private learnAdvert(buf: Buffer, off: number, icmp: number, end: number, ifIndex: number): void {
    const target = icmp + Ndp.Target;
    const lla = ndpLinkLayerAddr(buf, icmp, end, NdpOption.TargetLinkAddr);
    const macOff = lla >= 0 ? lla : off + Eth.Src;
    // Without the override flag, an advertisement does not replace a known, different MAC.
    if (
      (naFlags(buf, icmp) & NaFlag.Override) === 0 &&
      this.store.lookup(buf, target, this.known, 0) &&
      this.known.compare(buf, macOff, macOff + 6) !== 0
    )
      return;
    this.store.learn(buf, target, buf, macOff, ifIndex, this.clock());
  }

  /** The advertisement for a solicited VIP that uvsd answers, written in place; 0 otherwise. */
  private answer(buf: Buffer, off: number, icmp: number, ifIndex: number): number {
    const target = icmp + Ndp.Target;
    if (!this.answered.some((v) => ipv6Equal(v, 0, buf, target))) return 0;
    const iface = this.ifaces.get(ifIndex);
    // The reply is written over the solicitation: it must start right after the IPv6 header.
    if (!iface || icmp !== off + ETH_HLEN + IPV6_HLEN || buf.length < off + NDP_FRAME_LEN) return 0;
    return neighborAdvertReplyInPlace(buf, iface.mac, false, off);
  }

  /** Fire-and-forget resolution of the address at `buf[off]` on `ifIndex`, at most one solicitation a second. */
  request(buf: Buffer, off: number, ifIndex: number): void {
    if (this.store.ask(buf, off, ifIndex, this.clock())) this.solicit(buf, off, ifIndex, undefined);
  }

  /** Probes entries that are getting old; forgets those that stopped answering. */
  refresh(inUse: (addr: Buffer) => boolean): void {
    const t = this.store;
    const now = this.clock();
    const addr = this.addr;
    for (const s of [...t.slots()]) {
      t.addressOf(s, addr, 0);
      if (t.stateAt(s) === PENDING) {
        // Asked and never answered: forgotten after TRIES seconds.
        if (Math.floor(now / 1000) - t.askedAt(s) > TRIES) t.forget(s);
        continue;
      }
      const age = now - t.updatedAt(s);
      if (!inUse(addr)) {
        if (age > REFRESH_AFTER_MS) t.forget(s);
        continue;
      }
      if (age < REFRESH_AFTER_MS) continue;
      if (t.unanswered(s) > TRIES || !t.macAt(s, this.mac, 0)) t.forget(s);
      else this.solicit(addr, 0, t.ifIndexAt(s), this.mac);
    }
  }

  /** Unsolicited advertisement of `vip` (16 bytes) on `ifIndex`: IPv6's gratuitous ARP. */
  announce(vip: Buffer, ifIndex: number, router = false): void {
    const iface = this.ifaces.get(ifIndex);
    if (!iface) return;
    const at = FIRST_FRAME_OFFSET;
    const len = buildUnsolicitedNeighborAdvert(this.txBuf, iface.mac, vip, 0, router, at);
    this.send(ifIndex, this.txBuf, at, len);
  }

  private solicit(target: Buffer, off: number, ifIndex: number, mac: Buffer | undefined): void {
    const iface = this.ifaces.get(ifIndex);
    const src = iface && sourceFor(iface, target, off);
    if (!iface || !src) return;
    const at = FIRST_FRAME_OFFSET;
    const len = buildNeighborSolicit(this.txBuf, iface.mac, src, 0, target, off, mac, at);
    this.send(ifIndex, this.txBuf, at, len);
  }

  close(): void {}
}

/**
 * The source of a solicitation for the address at `target[off]`: our address on its prefix,
 * else our link-local address, else any usable address of the interface (none tentative, none
 * deprecated: a VIP added with preferred_lft 0 is no source).
 */
export function sourceFor(iface: NdpInterface, target: Buffer, off: number): Buffer | undefined {
  const usable = iface.addrs6.filter((a) => !a.tentative && a.deprecated !== true);
  const onPrefix = usable.find(
    (a) => !a.linkLocal && inIpv6Prefix(a.addr, a.prefixLen, target, off),
  );
  return (onPrefix ?? usable.find((a) => a.linkLocal) ?? usable[0])?.addr;
}

/** NdpInterfaces over the MACs of an interface table and the IPv6 addresses read apart. */
export function ndpInterfaces(
  macs: { get(ifIndex: number): { readonly mac: Buffer } | undefined },
  addrs6: readonly Ipv6IfAddress[],
): NdpInterfaces {
  return {
    get: (ifIndex) => {
      const i = macs.get(ifIndex);
      return i && { ifIndex, mac: i.mac, addrs6: addrs6.filter((a) => a.ifIndex === ifIndex) };
    },
  };
}
