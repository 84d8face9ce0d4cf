// Userspace neighbour discovery (RFC 4861) for IPv6, as neighbours.ts is ARP for IPv4: the
// MACs of real servers and gateways, resolved by uvs itself (multicast solicitation to the
// solicited-node group), learnt from advertisements and solicitations that arrive, refreshed
// while in use (unicast solicitation to the cached MAC, as RFC 4861 7.3.3's PROBE), and
// forgotten when they stop answering. It also answers solicitations for the VIPs that uvsd
// holds itself (no kernel interface has them) and sends unsolicited advertisements where
// uvsd sends gratuitous ARP for IPv4. Pure logic over a frame sender and a clock.
import { IPV6_ALEN, ipv6Equal, readIpv4 } from '../packet/addr.js';
import { copyMac, Eth, ETH_ALEN, ETH_HLEN, EtherType, macEquals } from '../packet/ethernet.js';
import { Icmp6Type } from '../packet/icmpv6.js';
import {
  Ipv6,
  IPV6_HLEN,
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

/** Solicitations for one address are at least this far apart; unanswered ones are forgotten after TRIES. */
const TRIES = 3;
const RETRY_MS = 1000;
/** An entry older than this is probed by refresh(); unanswered for 3 probes, it is dropped. */
const REFRESH_AFTER_MS = 30_000;

/** What the module needs to know of an interface: its MAC and IPv6 addresses. */
export interface NdpInterface {
  readonly ifIndex: number;
  readonly mac: Buffer;
  readonly addrs6: readonly Ipv6IfAddress[];
}

export interface NdpInterfaces {
  get(ifIndex: number): NdpInterface | undefined;
}

interface Entry {
  readonly addr: Buffer;
  readonly mac: Buffer;
  ifIndex: number;
  updated: number;
  /** Probes sent since the last answer. */
  unanswered: number;
}

interface Pending {
  readonly addr: Buffer;
  /** When the last solicitation left. */
  last: number;
}

/** A 32-bit key of the 16 bytes at `buf[off]` (the low words vary most between neighbours). */
function keyOf(buf: Buffer, off: number): number {
  return (readIpv4(buf, off + 8) ^ readIpv4(buf, off + 12) ^ readIpv4(buf, off + 4)) >>> 0;
}

/** Entries by key; a bucket holds the few addresses whose keys collide. */
class AddrMap<T extends { readonly addr: Buffer }> {
  private readonly buckets = new Map<number, T[]>();

  get(buf: Buffer, off: number): T | undefined {
    const bucket = this.buckets.get(keyOf(buf, off));
    if (!bucket) return undefined;
    for (const e of bucket) if (ipv6Equal(e.addr, 0, buf, off)) return e;
    return undefined;
  }

  set(e: T): void {
    const k = keyOf(e.addr, 0);
    const bucket = this.buckets.get(k);
    if (!bucket) this.buckets.set(k, [e]);
    else bucket.push(e);
  }

  delete(e: T): void {
    const k = keyOf(e.addr, 0);
    const bucket = this.buckets.get(k);
    if (!bucket) return;
    const rest = bucket.filter((x) => x !== e);
    if (rest.length > 0) this.buckets.set(k, rest);
    else this.buckets.delete(k);
  }

  *values(): IterableIterator<T> {
    for (const b of this.buckets.values()) yield* b;
  }

  clear(): void {
    this.buckets.clear();
  }
}

export class NdpNeighbours {
  private readonly entries = new AddrMap<Entry>();
  private readonly pending = new AddrMap<Pending>();
  /** VIPs uvsd answers solicitations for. */
  private answered: readonly Buffer[] = [];
  /** A frame laid out as packet/frame-layout.ts says (zeroed virtio_net_hdr before it). */
  private readonly txBuf = Buffer.alloc(FIRST_FRAME_OFFSET + NDP_FRAME_LEN);
  private readonly chain = newIpv6Chain();

  constructor(
    private readonly send: NdpFrameSender,
    private readonly ifaces: NdpInterfaces,
    private readonly clock: () => number = Date.now,
  ) {}

  /** MAC of the IPv6 address at `buf[off]`, or undefined. Per frame: nothing allocated. */
  lookup(buf: Buffer, off: number): Buffer | undefined {
    return this.entries.get(buf, off)?.mac;
  }

  /** The VIPs (16 bytes each) whose solicitations uvsd answers itself. */
  answerFor(vips: readonly Buffer[]): void {
    this.answered = vips.map((v) => Buffer.from(v));
  }

  /**
   * Takes the frame at `off` of `buf` (`len` bytes) that arrived on `ifIndex`: learns from a
   * valid advertisement or solicitation about an address we care about, and turns a
   * solicitation for an answered VIP into the advertisement, in place. Returns the length of
   * that reply (to send back on `ifIndex`, from `off`), or 0.
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
    this.learnSolicit(buf, ip, icmp, end, ifIndex);
    return this.answer(buf, off, icmp, ifIndex);
  }

  /** End of the IPv6 packet of the frame at `off`, or -1 when it is not one. */
  private ipv6End(buf: Buffer, off: number, len: number): number {
    if (len < ETH_HLEN || buf.readUInt16BE(off + Eth.Type) !== EtherType.IPv6) return -1;
    return ipv6PacketEnd(buf, off + ETH_HLEN, off + len) ?? -1;
  }

  private learnAdvert(buf: Buffer, off: number, icmp: number, end: number, ifIndex: number): void {
    const target = icmp + Ndp.Target;
    const entry = this.entries.get(buf, target);
    const pending = this.pending.get(buf, target);
    if (!entry && !pending) return;
    const lla = ndpLinkLayerAddr(buf, icmp, end, NdpOption.TargetLinkAddr);
    const macOff = lla >= 0 ? lla : off + Eth.Src;
    // Without the override flag, an advertisement does not replace a known, different MAC.
    if (
      entry &&
      (naFlags(buf, icmp) & NaFlag.Override) === 0 &&
      !macEquals(entry.mac, 0, buf, macOff)
    )
      return;
    this.update(buf, target, macOff, ifIndex, entry, pending);
  }

  private learnSolicit(buf: Buffer, ip: number, icmp: number, end: number, ifIndex: number): void {
    const src = ip + Ipv6.Src;
    const lla = ndpLinkLayerAddr(buf, icmp, end, NdpOption.SourceLinkAddr);
    if (lla < 0) return; // from the unspecified address (DAD), or no address given
    const entry = this.entries.get(buf, src);
    const pending = this.pending.get(buf, src);
    if (entry || pending) this.update(buf, src, lla, ifIndex, entry, pending);
  }

  private update(
    buf: Buffer,
    addrOff: number,
    macOff: number,
    ifIndex: number,
    entry: Entry | undefined,
    pending: Pending | undefined,
  ): void {
    const now = this.clock();
    if (entry) {
      copyMac(entry.mac, 0, buf, macOff);
      entry.ifIndex = ifIndex;
      entry.updated = now;
      entry.unanswered = 0;
    } else {
      this.entries.set({
        addr: Buffer.from(buf.subarray(addrOff, addrOff + IPV6_ALEN)),
        mac: Buffer.from(buf.subarray(macOff, macOff + ETH_ALEN)),
        ifIndex,
        updated: now,
        unanswered: 0,
      });
    }
    if (pending) this.pending.delete(pending);
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
    const now = this.clock();
    const p = this.pending.get(buf, off);
    if (p && now - p.last < RETRY_MS) return;
    if (p) p.last = now;
    else this.pending.set({ addr: Buffer.from(buf.subarray(off, off + IPV6_ALEN)), last: now });
    this.solicit(buf, off, ifIndex, undefined);
  }

  /** Probes entries that are getting old; forgets those that stopped answering. */
  refresh(inUse: (addr: Buffer) => boolean): void {
    const now = this.clock();
    for (const e of [...this.entries.values()]) {
      if (!inUse(e.addr)) {
        if (now - e.updated > REFRESH_AFTER_MS) this.entries.delete(e);
        continue;
      }
      if (now - e.updated < REFRESH_AFTER_MS) continue;
      if (e.unanswered >= TRIES) {
        this.entries.delete(e);
        continue;
      }
      e.unanswered++;
      this.solicit(e.addr, 0, e.ifIndex, e.mac);
    }
    for (const p of [...this.pending.values()]) {
      if (now - p.last > TRIES * RETRY_MS) this.pending.delete(p);
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

  close(): void {
    this.pending.clear();
  }
}

/**
 * The source of a solicitation for the address at `target[off]`: our address on its prefix,
 * else our link-local address, else any usable address of the interface (none tentative).
 */
export function sourceFor(iface: NdpInterface, target: Buffer, off: number): Buffer | undefined {
  const usable = iface.addrs6.filter((a) => !a.tentative);
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
