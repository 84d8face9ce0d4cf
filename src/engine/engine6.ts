// The IPv6 half of a forwarding thread's engine (engine.ts hands it every frame of EtherType
// 0x86dd). Classification as for IPv4: neighbour discovery (learnt from; a solicitation for a
// VIP uvsd holds itself answered), a packet of a known connection either way, a new connection
// to a virtual service, an ICMPv6 error about a connection; anything else is not ours. The
// extension-header chain is walked (bounded) to the upper layer; fragments to a VIP are dropped
// and counted, as for IPv4 (IPVS reassembles, uvs does not). Nothing is allocated per frame.
import { readIpv6Words } from '../packet/addr.js';
import { readU16 } from '../packet/checksum.js';
import { Eth, ETH_HLEN } from '../packet/ethernet.js';
import {
  Icmp6,
  Icmp6Type,
  Icmp6UnreachCode,
  ICMPV6_HLEN,
  icmpv6IsError,
} from '../packet/icmpv6.js';
import {
  Ipv6,
  IPV6_HLEN,
  Ipv6ChainStatus,
  ipv6HeaderOk,
  newIpv6Chain,
  NextHeader,
  walkIpv6Chain,
} from '../packet/ipv6.js';
import { Tcp, TCP_MIN_LEN, TcpFlag } from '../packet/tcp.js';
import { UDP_HLEN } from '../packet/udp.js';
import {
  VnetFlag,
  VnetGso,
  vnetFlags,
  vnetGsoType,
  vnetHdrOf,
  VnetHdr,
  vnetU16,
} from '../packet/virtio-net-hdr.js';
import type { ConnEntries } from './conn-entries.js';
import { Cf, ConnFlag } from './conn-layout.js';
import { ConnCloser } from './conn-closer.js';
import { ConnExpiry } from './conn-expiry.js';
import { ConnLifecycle6 } from './conn-lifecycle6.js';
import type { ConnTable6 } from './conn-table6.js';
import type { EngineEnv } from './engine-env.js';
import { Defense } from './defense.js';
import type { EngineShared } from './engine-shared.js';
import type { ForwardContext } from './forward/forward-context.js';
import type { ForwardContext6, Icmp6ErrorRoute } from './forward6/forward-context6.js';
import { forwardToClient6, forwardToDest6 } from './forward6/forwarders6.js';
import { sendIcmp6Error } from './forward6/icmp6-error.js';
import { Icmp6Related } from './forward6/icmp6-related.js';
import { FrameFields } from './frame-fields.js';
import { xorFold } from './host-address.js';
import type { LiveConfig, LiveService } from './live-config.js';
import type { LiveDest } from './live-dest.js';
import { FwdMethod } from './model.js';
import { EngineNdp } from './ndp6.js';
import type { ThreadStats } from './shared/thread-stats.js';
import { FrameStat } from './shared/thread-stats.js';
import { SourceCache6 } from './source-cache6.js';
import { Direction } from './tcp-state.js';
import type { TxArena } from './tx-arena.js';
import { DropReason, Verdict } from './verdict.js';

/** What the IPv6 half needs of the engine: the forwarders' context and the trace's note. */
export interface Engine6Host extends ForwardContext {
  /** The current frame belongs to connection `i` of `table`, going `way` (1 in, 2 out). */
  traceConn(table: ConnEntries, i: number, way: number): void;
  /** A new connection's SYN counted for the first-SYN defence: true when it looks at SYNs now. */
  synGateActive(): boolean;
  /** The first-SYN defence on a SYN (its tuple folded), when active: true when refused. */
  synRefused(a: number, b: number, ports: number, now: number): boolean;
}

/** The ways of a connection's packets, as the trace records them. */
const enum Way {
  ToServer = 1,
  ToClient = 2,
}

export class Engine6 implements ForwardContext6 {
  readonly conns6: ConnTable6;
  readonly neighbours6: EngineNdp;
  readonly route6: Icmp6ErrorRoute;
  /** Expiry of the IPv6 table, for an engine that runs without workers (tests, pcap). */
  readonly expiry: ConnExpiry;
  private readonly f = new FrameFields();
  private readonly chain = newIpv6Chain();
  private readonly lifecycle: ConnLifecycle6;
  private readonly related: Icmp6Related;
  /** The defences on the IPv6 table (its own shortness), and what they remove. */
  private readonly closer: ConnCloser;
  private readonly defense: Defense;
  /** Where clients' frames were seen: the way back for firewall-mark connections. */
  private readonly sources: SourceCache6;

  constructor(
    private readonly engine: Engine6Host,
    shared: EngineShared,
  ) {
    this.conns6 = shared.conns6;
    this.sources = shared.sources6;
    const config = (): LiveConfig => this.engine.config;
    this.lifecycle = new ConnLifecycle6(shared, config);
    this.expiry = new ConnExpiry(shared, config, shared.conns6, shared.wheel6);
    this.closer = new ConnCloser(shared, config, shared.conns6);
    this.defense = new Defense(shared, this.closer, shared.conns6, shared.wheel6);
    this.neighbours6 = new EngineNdp(shared.neighbours6, this);
    this.related = new Icmp6Related(this);
    const none = Buffer.alloc(16);
    this.route6 = { src: none, srcOff: 0, dst: none, dstOff: 0, mac: none, macOff: 0, outIf: -1 };
  }

  /** Between two batches: slots this thread freed go back once no lookup can see them. */
  endBatch(): void {
    this.closer.reclaimer.reclaim();
  }

  get config(): LiveConfig {
    return this.engine.config;
  }
  get arena(): TxArena {
    return this.engine.arena;
  }
  get stats(): ThreadStats {
    return this.engine.stats;
  }
  get env(): EngineEnv {
    return this.engine.env;
  }
  get macScratch(): Buffer {
    return this.engine.macScratch;
  }
  emit(buf: Buffer, off: number, len: number, ifIndex: number): void {
    this.engine.emit(buf, off, len, ifIndex);
  }
  drop(reason: DropReason): Verdict {
    return this.engine.drop(reason);
  }
  notOurs(): Verdict {
    return this.engine.notOurs();
  }
  icmpAllowed(now: number): boolean {
    return this.engine.icmpAllowed(now);
  }

  /** An IPv6 frame (EtherType 0x86dd) at `off` of `buf`, `len` bytes, received on `ifIndex`. */
  process(buf: Buffer, off: number, len: number, ifIndex: number, now: number): Verdict {
    const ip = off + ETH_HLEN;
    if (!ipv6HeaderOk(buf, ip, off + len)) return this.drop(DropReason.BadIpHeader);
    const payload = readU16(buf, ip + Ipv6.PayloadLen);
    // A jumbogram (payload length 0, RFC 2675) is not carried: the kernel's.
    if (payload === 0) return this.notOurs();
    const end = ip + IPV6_HLEN + payload;
    if (end > off + len) return this.drop(DropReason.Truncated);
    const f = this.f;
    f.eth = off;
    f.ip = ip;
    f.ipLen = end - ip;
    f.now = now;
    readIpv6Words(buf, ip + Ipv6.Src, f.src6);
    readIpv6Words(buf, ip + Ipv6.Dst, f.dst6);
    f.srcAddr = xorFold(f.src6);
    f.dstAddr = xorFold(f.dst6);
    const toVip = this.config.v6.isVip(f.dst6, 0);
    const status = walkIpv6Chain(buf, ip, end, this.chain);
    if (status === Ipv6ChainStatus.Malformed)
      return toVip ? this.drop(DropReason.BadIpHeader) : this.notOurs();
    f.l4 = this.chain.l4;
    f.proto = this.chain.proto;
    const h = vnetHdrOf(off);
    f.gsoSize = vnetGsoType(buf, h) === VnetGso.None ? 0 : vnetU16(buf, h, VnetHdr.GsoSize);
    f.partialCsum = (vnetFlags(buf, h) & VnetFlag.NeedsCsum) !== 0;
    if (f.proto === NextHeader.TCP || f.proto === NextHeader.UDP) {
      // IPVS reassembles; uvs drops fragments addressed to a VIP and counts them.
      if (status === Ipv6ChainStatus.Fragment)
        return toVip ? this.drop(DropReason.Fragment) : this.notOurs();
      const minL4 = f.proto === NextHeader.TCP ? TCP_MIN_LEN : UDP_HLEN;
      if (f.l4 + minL4 > end) return toVip ? this.drop(DropReason.Truncated) : this.notOurs();
      f.srcPort = readU16(buf, f.l4 + Tcp.SrcPort);
      f.dstPort = readU16(buf, f.l4 + Tcp.DstPort);
      f.tcpFlags = f.proto === NextHeader.TCP ? buf[f.l4 + Tcp.Flags]! : 0;
      return this.processL4(buf, ifIndex);
    }
    if (
      f.proto === NextHeader.ICMPv6 &&
      status === Ipv6ChainStatus.Upper &&
      f.l4 + ICMPV6_HLEN <= end
    ) {
      const type = buf[f.l4 + Icmp6.Type]!;
      if (type === Icmp6Type.NeighborSolicit || type === Icmp6Type.NeighborAdvert)
        return this.neighbours6.handle(buf, off, f.l4, end, ifIndex, now);
      if (icmpv6IsError(type)) return this.count(this.related.forward(buf, f));
    }
    return this.notOurs();
  }

  private processL4(buf: Buffer, ifIndex: number): Verdict {
    const f = this.f;
    const c = this.conns6;
    const cfg = this.config;
    // A frame of the firewall-mark tap (net/fwmark-tap.ts): a copy of a marked packet, sent by
    // this host toward the MAC that carries the mark, its hop limit decremented by nf_dup_ipv6
    // in prerouting. Given back, so that the real server sees the one decrement of IPVS.
    const marked = ifIndex === cfg.markIfIndex;
    // A VRRP backup serves none of the VIPs the master holds (IPVS on a backup never sees them).
    if (cfg.v6.isDisowned(f.dst6, 0)) return this.notOurs();
    if (marked) buf[f.ip + Ipv6.HopLimit] = Math.min(buf[f.ip + Ipv6.HopLimit]! + 1, 255);
    // 1. A packet from a client on a known connection.
    let i = c.lookupIn6(f.proto, f.src6, 0, f.srcPort, f.dst6, 0, f.dstPort);
    if (i >= 0) {
      // A firewall-mark connection's packets are taken from the tap, not from the wire.
      if (((c.flags(i) & ConnFlag.Marked) !== 0) !== marked) return this.notOurs();
      // The way back to the client, unknown for a marked connection's first packet (the tap's
      // copy carries no client MAC: where the client was seen says it) and for a connection
      // learnt by sync (the client's first frame here says it).
      if (c.word(i, Cf.ClientIf) < 0) {
        if (marked) this.learnClientWay(i);
        else c.setClientWay(i, ifIndex, buf, f.eth + Eth.Src);
      }
      this.engine.traceConn(c, i, Way.ToServer);
      this.lifecycle.touch(i, f, Direction.Input);
      return this.count(forwardToDest6(this, buf, f, i));
    }
    // 2. A reply from a real server of a NAT connection.
    i = c.lookupOut6(f.proto, f.src6, 0, f.srcPort, f.dst6, 0, f.dstPort);
    if (i >= 0 && (c.flags(i) & ConnFlag.MethodMask) === FwdMethod.Masq) {
      this.engine.traceConn(c, i, Way.ToClient);
      this.lifecycle.touch(i, f, Direction.Output);
      return this.count(forwardToClient6(this, buf, f, i, ifIndex));
    }
    // 3. A new connection to a virtual service.
    const svc = marked
      ? cfg.v6.lookupMark(buf.readUInt32BE(f.eth + Eth.Dst + 2))
      : cfg.v6.lookupFlow(f.proto, f.dst6, 0, f.dstPort);
    if (!svc) {
      // Where a client's frames come from: the way back for its marked packets.
      if (!marked) this.sources.record(f.src6, 0, ifIndex, buf, f.eth + Eth.Src);
      return this.notOurs();
    }
    // IPVS schedules TCP only on a SYN (tcp_conn_schedule); other segments have no connection.
    if (f.proto === NextHeader.TCP && (f.tcpFlags & (TcpFlag.SYN | TcpFlag.RST)) !== TcpFlag.SYN)
      return this.drop(DropReason.NoConnection);
    return this.openConnection(buf, svc, ifIndex, marked);
  }

  private openConnection(buf: Buffer, svc: LiveService, ifIndex: number, marked: boolean): Verdict {
    const f = this.f;
    const c = this.conns6;
    const cfg = this.config;
    // A flood outruns this thread: first SYNs refused while its rings back up, as for IPv4.
    if (
      f.proto === NextHeader.TCP &&
      this.engine.synGateActive() &&
      this.engine.synRefused(
        c.fold(f.src6, 0),
        c.fold(f.dst6, 0),
        (f.srcPort << 16) | f.dstPort,
        f.now,
      )
    )
      return this.drop(DropReason.FirstSyn);
    // A flood fills the table: IPVS's defences (drop_packet, drop_entry), as for IPv4.
    const short = this.defense.short(cfg);
    if (this.defense.dropNew(cfg, short)) return this.drop(DropReason.Defense);
    if (short) this.defense.makeRoom(cfg, short, f.now);
    let template = -1;
    let dest: LiveDest | undefined;
    if (svc.persistenceMs > 0) {
      template = this.lifecycle.bindPersistent6(svc, f);
      dest = template >= 0 ? this.config.destsById[c.word(template, Cf.DestId)] : undefined;
    } else {
      dest = svc.scheduler.schedule(svc.dests, f);
    }
    if (!dest) return this.noDest(buf, ifIndex, marked);
    let i = this.lifecycle.open6(svc, dest, f, buf, ifIndex, template);
    if (i < 0 && this.defense.makeRoom(cfg, true, f.now))
      i = this.lifecycle.open6(svc, dest, f, buf, ifIndex, template);
    if (i < 0) return this.drop(DropReason.TableFull);
    if (marked) {
      // The way back to the client is where its frames were last seen on the wire.
      c.setFlags(i, c.flags(i) | ConnFlag.Marked);
      c.setWord(i, Cf.ClientIf, this.sources.lookup(f.src6, 0, this.macScratch, 0));
      c.setClientMac(i, this.macScratch, 0);
    }
    this.engine.traceConn(c, i, Way.ToServer);
    this.lifecycle.touch(i, f, Direction.Input);
    return this.count(forwardToDest6(this, buf, f, i));
  }

  /** A marked connection opened before its client was seen on the wire: where it is now. */
  private learnClientWay(i: number): void {
    const inIf = this.sources.lookup(this.f.src6, 0, this.macScratch, 0);
    if (inIf >= 0) this.conns6.setClientWay(i, inIf, this.macScratch, 0);
  }

  /** No real server can take the connection: port unreachable to the client (ip_vs_leave). */
  private noDest(buf: Buffer, ifIndex: number, marked: boolean): Verdict {
    const f = this.f;
    const r = this.route6;
    r.src = buf;
    r.srcOff = f.ip + Ipv6.Dst;
    r.dst = buf;
    r.dstOff = f.ip + Ipv6.Src;
    if (marked) {
      // The tap's frame came from this host: the client is where its frames were seen.
      r.outIf = this.sources.lookup(f.src6, 0, this.macScratch, 0);
      if (r.outIf < 0) return this.drop(DropReason.NoDest);
      r.mac = this.macScratch;
      r.macOff = 0;
    } else {
      r.mac = buf;
      r.macOff = f.eth + Eth.Src;
      r.outIf = ifIndex;
    }
    return this.count(
      sendIcmp6Error(
        this,
        buf,
        f.ip,
        f.ipLen,
        r,
        Icmp6Type.DestUnreachable,
        Icmp6UnreachCode.Port,
        0,
        f.now,
      ),
    );
  }

  /** Counts a verdict returned by a forwarder (drops and not-ours count themselves). */
  private count(v: Verdict): Verdict {
    if (v === Verdict.Forward) this.stats.frame(FrameStat.Forwarded);
    else if (v === Verdict.Reply) this.stats.frame(FrameStat.Replied);
    return v;
  }
}
