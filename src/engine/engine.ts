// The forwarding engine of one thread: a frame in, a verdict out, the frames to send handed to
// the sink. Pure: no I/O, no timers of its own; time comes in as an argument. Classification
// follows DESIGN.md: ARP for a VIP, a packet of a known connection (either way), a new connection
// to a virtual service, an ICMP error about a connection; anything else is not ours.
// Frames sit in their buffer as packet/frame-layout.ts says: at `off`, virtio_net_hdr just before.
import { readIpv4Bits } from '../packet/addr.js';
import { arpIsEthIpv4, arpOp, ArpOp, arpReplyInPlace, arpTargetIp } from '../packet/arp.js';
import { readU16 } from '../packet/checksum.js';
import { Eth, ETH_HLEN, EtherType, ethType, macEquals } from '../packet/ethernet.js';
import { ICMP_CODE_PORT_UNREACHABLE, icmpIsError, Icmp, ICMP_HLEN } from '../packet/icmp.js';
import { Ipv4, ipv4HeaderLen, ipv4IsFragment, IpProto } from '../packet/ipv4.js';
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
import { Cf, ConnFlag } from './conn-layout.js';
import type { ConnEntries } from './conn-entries.js';
import type { ConnTable } from './conn-table.js';
import { ConnCloser } from './conn-closer.js';
import { ConnExpiry } from './conn-expiry.js';
import { Defense } from './defense.js';
import { FirstSynDrop, SynGate } from './first-syn-drop.js';
import { ConnLifecycle } from './conn-lifecycle.js';
import type { EngineEnv } from './engine-env.js';
import type { EngineShared } from './engine-shared.js';
import { Engine6 } from './engine6.js';
import type { FrameSink } from './frame-sink.js';
import { FrameFields } from './frame-fields.js';
import type { ForwardContext, IcmpErrorRoute, Neighbours6 } from './forward/forward-context.js';
import { forwardToClient, forwardToDest } from './forward/forwarders.js';
import { sendIcmpUnreachable } from './forward/icmp-error.js';
import { forwardIcmpRelated } from './forward/icmp-related.js';
import { LiveConfig, type LiveService } from './live-config.js';
import type { LiveDest } from './live-dest.js';
import { FwdMethod } from './model.js';
import type { ThreadStats } from './shared/thread-stats.js';
import { FrameStat } from './shared/thread-stats.js';
import { EMPTY_SNAPSHOT } from './empty-snapshot.js';
import { IcmpRateLimit } from './icmp-rate-limit.js';
import type { EngineSnapshot } from './snapshot.js';
import { SourceCache } from './source-cache.js';
import { Direction } from './tcp-state.js';
import { TxArena } from './tx-arena.js';
import type { TraceRing } from './trace/trace-ring.js';
import { TraceWriter } from './trace/trace-writer.js';
import { DropReason, Verdict } from './verdict.js';

export class Engine implements ForwardContext {
  readonly conns: ConnTable;
  readonly stats: ThreadStats;
  readonly arena = new TxArena();
  readonly macScratch = Buffer.alloc(6);
  readonly icmpRoute: IcmpErrorRoute = {
    from: 0,
    to: 0,
    mac: this.macScratch,
    macOff: 0,
    outIf: -1,
  };
  config: LiveConfig;
  /** Expiry of the whole table, for an engine that runs without workers (tests, pcap). */
  readonly expiry: ConnExpiry;
  /** Removes connections the defences drop (its slots wait out the grace period). */
  private readonly closer: ConnCloser;
  private readonly defense: Defense;
  private readonly f = new FrameFields();
  private readonly lifecycle: ConnLifecycle;
  private readonly sources: SourceCache;
  private readonly icmpLimit = new IcmpRateLimit();
  /** Set while someone traces (uvsadm --trace): nothing is written otherwise. */
  private tracer: TraceWriter | undefined;
  /** For the trace: the connection the current frame belonged to, its way, the drop reason. */
  private lastConn = -1;
  private lastWay = 0;
  /** The table of lastConn: the IPv4 one, or the IPv6 one (engine6.ts says so). */
  private lastTable: ConnEntries;
  private lastDrop = -1;
  private now = 0;
  /** IPv6 frames (engine6.ts). */
  readonly v6: Engine6;
  /** First SYNs refused while this thread's receive rings back up; the io loop reports them. */
  readonly firstSyn = new FirstSynDrop();

  constructor(
    readonly shared: EngineShared,
    readonly env: EngineEnv,
    private readonly sink: FrameSink,
    snapshot: EngineSnapshot = EMPTY_SNAPSHOT,
  ) {
    this.conns = shared.conns;
    this.sources = shared.sources;
    this.lastTable = shared.conns;
    this.stats = shared.stats;
    this.config = new LiveConfig(snapshot, shared.dests, shared.sched, shared.thread);
    this.lifecycle = new ConnLifecycle(shared, () => this.config);
    this.expiry = new ConnExpiry(shared, () => this.config);
    this.closer = new ConnCloser(shared, () => this.config);
    this.defense = new Defense(shared, this.closer);
    this.v6 = new Engine6(this, shared);
  }

  /**
   * A new connection's SYN, counted for the first-SYN defence (first-syn-drop.ts): true when the
   * defence looks at SYNs now, and synRefused() is to be asked (its tuple folded only then).
   */
  synGateActive(): boolean {
    this.firstSyn.noteSyn();
    return this.firstSyn.active(this.config.defense.firstSynDrop);
  }

  /**
   * The first-SYN defence on a SYN whose tuple is folded in three words, at `now` (when
   * synGateActive()): true when it is refused. A refused SYN's retry let through is counted.
   */
  synRefused(a: number, b: number, ports: number, now: number): boolean {
    const gate = this.firstSyn.check(this.config.defense.firstSynDrop, a, b, ports, now);
    if (gate === SynGate.Retry) this.stats.frame(FrameStat.SynRetried);
    return gate === SynGate.Refuse;
  }

  /** Between two batches: slots this thread freed go back once no lookup can see them. */
  endBatch(): void {
    this.closer.reclaimer.reclaim();
    this.v6.endBatch();
  }

  /** Runs on a new configuration from the next frame on. */
  configure(snapshot: EngineSnapshot): void {
    this.config = new LiveConfig(
      snapshot,
      this.shared.dests,
      this.shared.sched,
      this.shared.thread,
      this.config,
    );
  }

  get neighbours6(): Neighbours6 {
    return this.v6.neighbours6;
  }

  emit(buf: Buffer, off: number, len: number, ifIndex: number): void {
    if (this.tracer) this.tracer.out(buf, off, len, ifIndex, this.now);
    this.sink.send(buf, off, len, ifIndex);
  }

  /** Starts (a ring) or stops (undefined) tracing on this thread. */
  setTrace(ring: TraceRing | undefined): void {
    this.tracer = ring ? new TraceWriter(ring, this.shared.thread) : undefined;
  }

  icmpAllowed(now: number): boolean {
    return this.icmpLimit.allow(now);
  }

  process(buf: Buffer, off: number, len: number, ifIndex: number, now: number): Verdict {
    const tr = this.tracer;
    if (tr === undefined) return this.processFrame(buf, off, len, ifIndex, now);
    this.now = now;
    this.lastConn = -1;
    this.lastDrop = -1;
    this.lastTable = this.conns;
    tr.begin(buf, off, len, ifIndex, now);
    const v = this.processFrame(buf, off, len, ifIndex, now);
    tr.end(v, this.lastDrop, this.lastTable, this.lastConn, this.lastWay, now);
    return v;
  }

  /** For the trace: the current frame belongs to connection `i` of `table`, going `way`. */
  traceConn(table: ConnEntries, i: number, way: number): void {
    this.lastTable = table;
    this.lastConn = i;
    this.lastWay = way;
  }

  private processFrame(
    buf: Buffer,
    off: number,
    len: number,
    ifIndex: number,
    now: number,
  ): Verdict {
    this.stats.frame(FrameStat.Frames);
    if (len < ETH_HLEN) return this.drop(DropReason.Truncated);
    const cfg = this.config;
    const ifMac = cfg.interfaceMac(ifIndex);
    // The mark tap's frames are, by design, sent by this host.
    if (ifMac && ifIndex !== cfg.markIfIndex && macEquals(buf, off + Eth.Src, ifMac, 0)) {
      return this.drop(DropReason.OwnFrame);
    }
    const type = ethType(buf, off);
    if (type === EtherType.ARP) return this.processArp(buf, off, len, ifIndex, ifMac);
    if (type === EtherType.IPv6) return this.v6.process(buf, off, len, ifIndex, now);
    if (type !== EtherType.IPv4) return this.notOurs();
    return this.processIpv4(buf, off, len, ifIndex, now);
  }

  private processArp(
    buf: Buffer,
    off: number,
    len: number,
    ifIndex: number,
    ifMac: Buffer | undefined,
  ): Verdict {
    const arp = off + ETH_HLEN;
    if (!arpIsEthIpv4(buf, arp, off + len) || arpOp(buf, arp) !== ArpOp.Request)
      return this.notOurs();
    const target = arpTargetIp(buf, arp) | 0;
    // A VIP the kernel holds is answered by the kernel; one it does not is answered by uvs.
    const cfg = this.config;
    if (!ifMac || !cfg.isVip(target) || cfg.isLocalAddress(target)) return this.notOurs();
    const n = arpReplyInPlace(buf, target, ifMac, off);
    this.emit(buf, off, n, ifIndex);
    this.stats.frame(FrameStat.Replied);
    return Verdict.Reply;
  }

  private processIpv4(
    buf: Buffer,
    off: number,
    len: number,
    ifIndex: number,
    now: number,
  ): Verdict {
    const f = this.f;
    const ip = off + ETH_HLEN;
    const ihl = ipv4HeaderLen(buf, ip, off + len);
    if (ihl === undefined) return this.drop(DropReason.BadIpHeader);
    const total = readU16(buf, ip + Ipv4.TotalLen);
    if (total < ihl || ip + total > off + len) return this.drop(DropReason.Truncated);
    f.eth = off;
    f.ip = ip;
    f.ipLen = total;
    f.now = now;
    f.l4 = ip + ihl;
    f.proto = buf[ip + Ipv4.Proto]!;
    f.srcAddr = readIpv4Bits(buf, ip + Ipv4.Src);
    f.dstAddr = readIpv4Bits(buf, ip + Ipv4.Dst);
    const h = vnetHdrOf(off);
    f.gsoSize = vnetGsoType(buf, h) === VnetGso.None ? 0 : vnetU16(buf, h, VnetHdr.GsoSize);
    f.partialCsum = (vnetFlags(buf, h) & VnetFlag.NeedsCsum) !== 0;
    const end = ip + total;

    if (f.proto === IpProto.TCP || f.proto === IpProto.UDP) {
      const cfg = this.config;
      if (ipv4IsFragment(buf, ip)) {
        // IPVS reassembles; uvs drops fragments addressed to a VIP and counts them.
        return cfg.isVip(f.dstAddr) ? this.drop(DropReason.Fragment) : this.notOurs();
      }
      const minL4 = f.proto === IpProto.TCP ? TCP_MIN_LEN : UDP_HLEN;
      if (f.l4 + minL4 > end) {
        return cfg.isVip(f.dstAddr) ? this.drop(DropReason.Truncated) : this.notOurs();
      }
      f.srcPort = readU16(buf, f.l4 + Tcp.SrcPort);
      f.dstPort = readU16(buf, f.l4 + Tcp.DstPort);
      f.tcpFlags = f.proto === IpProto.TCP ? buf[f.l4 + Tcp.Flags]! : 0;
      return this.processL4(buf, ifIndex);
    }
    if (
      f.proto === IpProto.ICMP &&
      f.l4 + ICMP_HLEN <= end &&
      icmpIsError(buf[f.l4 + Icmp.Type]!)
    ) {
      return this.count(forwardIcmpRelated(this, buf, f));
    }
    return this.notOurs();
  }

  private processL4(buf: Buffer, ifIndex: number): Verdict {
    const f = this.f;
    const c = this.conns;
    const cfg = this.config;
    // A VRRP backup serves none of the VIPs the master holds (IPVS on a backup never sees them).
    if (cfg.isDisowned(f.dstAddr)) return this.notOurs();
    // 1. A packet from a client on a known connection.
    const marked = ifIndex === cfg.markIfIndex;
    let i = c.lookupIn(f.proto, f.srcAddr, f.srcPort, f.dstAddr, f.dstPort);
    if (i >= 0) {
      // A firewall-mark connection's packets are taken from the tap, not from the wire.
      if (((c.flags(i) & ConnFlag.Marked) !== 0) !== marked) return this.notOurs();
      // A connection learnt by sync: the client's first frame here says the way back.
      if (c.word(i, Cf.ClientIf) < 0) this.learnClientWay(i, buf, ifIndex, marked);
      this.lastConn = i;
      this.lastWay = 1;
      this.lifecycle.touch(i, f, Direction.Input);
      return this.count(forwardToDest(this, buf, f, i));
    }
    // 2. A reply from a real server of a NAT connection.
    i = c.lookupOut(f.proto, f.srcAddr, f.srcPort, f.dstAddr, f.dstPort);
    if (i >= 0 && (c.flags(i) & ConnFlag.MethodMask) === FwdMethod.Masq) {
      this.lastConn = i;
      this.lastWay = 2;
      this.lifecycle.touch(i, f, Direction.Output);
      return this.count(forwardToClient(this, buf, f, i, ifIndex));
    }
    // 3. A new connection to a virtual service.
    const svc = marked
      ? cfg.lookupMark(buf.readUInt32BE(f.eth + Eth.Dst + 2))
      : cfg.lookupFlow(f.proto, f.dstAddr, f.dstPort);
    if (!svc) {
      if (!marked) this.sources.record(f.srcAddr, ifIndex, buf, f.eth + Eth.Src);
      return this.notOurs();
    }
    // IPVS schedules TCP only on a SYN (tcp_conn_schedule); other segments have no connection.
    if (f.proto === IpProto.TCP && (f.tcpFlags & (TcpFlag.SYN | TcpFlag.RST)) !== TcpFlag.SYN) {
      return this.drop(DropReason.NoConnection);
    }
    return this.openConnection(buf, svc, ifIndex, marked);
  }

  private openConnection(buf: Buffer, svc: LiveService, ifIndex: number, marked: boolean): Verdict {
    const f = this.f;
    const c = this.conns;
    const cfg = this.config;
    // A flood outruns this thread: first SYNs refused while its rings back up.
    if (
      f.proto === IpProto.TCP &&
      this.synGateActive() &&
      this.synRefused(f.srcAddr, f.dstAddr, (f.srcPort << 16) | f.dstPort, f.now)
    )
      return this.drop(DropReason.FirstSyn);
    // A flood fills the table: IPVS's defences (drop_packet, drop_entry).
    const short = this.defense.short(cfg);
    if (this.defense.dropNew(cfg, short)) return this.drop(DropReason.Defense);
    if (short) this.defense.makeRoom(cfg, short, f.now);
    let template = -1;
    let dest: LiveDest | undefined;
    if (svc.persistenceMs > 0) {
      template = this.lifecycle.bindPersistent(svc, f);
      dest = template >= 0 ? this.config.destsById[c.word(template, Cf.DestId)] : undefined;
    } else {
      dest = svc.scheduler.schedule(svc.dests, f);
    }
    if (!dest) return this.noDest(buf, ifIndex, marked);
    let i = this.lifecycle.open(svc, dest, f, buf, ifIndex, template);
    if (i < 0 && this.defense.makeRoom(cfg, true, f.now)) {
      i = this.lifecycle.open(svc, dest, f, buf, ifIndex, template);
    }
    if (i < 0) return this.drop(DropReason.TableFull);
    if (marked) {
      // The way back to the client is where its frames were last seen on the wire.
      c.setFlags(i, c.flags(i) | ConnFlag.Marked);
      c.setWord(i, Cf.ClientIf, this.sources.lookup(f.srcAddr, this.macScratch, 0));
      c.setClientMac(i, this.macScratch, 0);
    }
    this.lastConn = i;
    this.lastWay = 1;
    this.lifecycle.touch(i, f, Direction.Input);
    return this.count(forwardToDest(this, buf, f, i));
  }

  /**
   * No real server can take the connection: as IPVS's ip_vs_leave, ICMP port unreachable to the
   * client (TCP and UDP alike), so that it fails at once instead of waiting for its timeout.
   */
  private noDest(buf: Buffer, ifIndex: number, marked: boolean): Verdict {
    const f = this.f;
    const r = this.icmpRoute;
    r.from = f.dstAddr;
    r.to = f.srcAddr;
    if (marked) {
      r.outIf = this.sources.lookup(f.srcAddr, this.macScratch, 0);
      if (r.outIf < 0) return this.drop(DropReason.NoDest);
      r.mac = this.macScratch;
      r.macOff = 0;
    } else {
      r.outIf = ifIndex;
      r.mac = buf;
      r.macOff = f.eth + Eth.Src;
    }
    return this.count(
      sendIcmpUnreachable(this, buf, f.ip, f.ipLen, r, ICMP_CODE_PORT_UNREACHABLE, 0, f.now),
    );
  }

  /** Counts a verdict returned by a forwarder (drops and not-ours count themselves). */
  private count(v: Verdict): Verdict {
    if (v === Verdict.Forward) this.stats.frame(FrameStat.Forwarded);
    else if (v === Verdict.Reply) this.stats.frame(FrameStat.Replied);
    return v;
  }

  private learnClientWay(i: number, buf: Buffer, ifIndex: number, marked: boolean): void {
    const f = this.f;
    if (marked) {
      // The mark tap's frames carry the mark, not the client's MAC: where its frames were seen.
      const inIf = this.sources.lookup(f.srcAddr, this.macScratch, 0);
      if (inIf >= 0) this.conns.setClientWay(i, inIf, this.macScratch, 0);
    } else this.conns.setClientWay(i, ifIndex, buf, f.eth + Eth.Src);
  }

  drop(reason: DropReason): Verdict {
    this.stats.frame(FrameStat.DropBase + reason);
    this.lastDrop = reason;
    return Verdict.Drop;
  }

  notOurs(): Verdict {
    this.stats.frame(FrameStat.NotOurs);
    return Verdict.NotOurs;
  }

  /** Expires connections (for an engine running without workers); call about once a second. */
  tick(now: number): void {
    this.expiry.run(now, this.config);
    this.v6.expiry.run(now, this.config);
  }
}
