// The forwarding engine: a frame in, a verdict out. Pure: no I/O, no timers; time comes in
// as an argument. Classification follows DESIGN.md: ARP for a VIP, a packet of a known
// connection (either way), a new connection to a virtual service, an ICMP error about a
// connection; anything else is not ours.
import { readIpv4 } from '../packet/addr.js';
import { arpIsEthIpv4, arpOp, ArpOp, arpReplyInPlace, arpTargetIp } from '../packet/arp.js';
import { readU16 } from '../packet/checksum.js';
import { Eth, ETH_HLEN, EtherType, macEquals } from '../packet/ethernet.js';
import { icmpIsError, Icmp, ICMP_HLEN } from '../packet/icmp.js';
import { Ipv4, ipv4HeaderLen, ipv4IsFragment, IpProto } from '../packet/ipv4.js';
import { Tcp, TCP_MIN_LEN, TcpFlag } from '../packet/tcp.js';
import { UDP_HLEN } from '../packet/udp.js';
import { ConnFlag, ConnTable } from './conn-table.js';
import { ConnLifecycle } from './conn-lifecycle.js';
import type { EngineEnv } from './engine-env.js';
import { forwardIcmpRelated } from './forward/icmp-related.js';
import { forwardToDest, forwardToClient } from './forward/forwarders.js';
import { FwdMethod } from './model.js';
import type { FlowInfo } from './schedulers/scheduler.js';
import { ServiceTable } from './service-table.js';
import { SourceCache } from './source-cache.js';
import { Direction } from './tcp-state.js';
import { Timeouts } from './timeouts.js';
import { DropReason, EngineCounters, Verdict } from './verdict.js';

/** The parsed fields of the frame being processed; one instance reused for every frame. */
export class FrameFields implements FlowInfo {
  ip = 0;
  ipLen = 0;
  l4 = 0;
  proto = 0;
  srcAddr = 0;
  dstAddr = 0;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  now = 0;
}

export class Engine {
  readonly services = new ServiceTable();
  readonly conns: ConnTable;
  readonly timeouts = new Timeouts();
  readonly counters = new EngineCounters();
  readonly lifecycle: ConnLifecycle;

  /** What to send after Forward/Reply: `txLen` bytes of `txBuf` on `txIfIndex`. */
  txIfIndex = -1;
  txLen = 0;
  txBuf: Buffer = Buffer.alloc(0);
  /** Room for frames the engine builds itself (ICMP errors). */
  readonly scratch = Buffer.alloc(1600);

  private readonly f = new FrameFields();
  /** The interface of the mark tap (firewall-mark services), -1 when there is none. */
  markIfIndex = -1;
  private readonly sources = new SourceCache();
  private readonly macScratch = Buffer.alloc(6);

  constructor(
    readonly env: EngineEnv,
    connCapacity = 4096,
  ) {
    this.conns = new ConnTable(connCapacity);
    this.lifecycle = new ConnLifecycle(this.conns, this.services, this.timeouts);
  }

  process(buf: Buffer, len: number, ifIndex: number, now: number): Verdict {
    this.counters.frames++;
    this.txBuf = buf;
    if (len < ETH_HLEN) return this.drop(DropReason.Truncated);
    const ifMac = this.env.interfaceMac(ifIndex);
    // The mark tap's frames are, by design, sent by this host.
    if (ifMac && ifIndex !== this.markIfIndex && macEquals(buf, Eth.Src, ifMac, 0))
      return this.drop(DropReason.OwnFrame);
    const type = (buf[Eth.Type]! << 8) | buf[Eth.Type + 1]!;
    if (type === EtherType.ARP) return this.processArp(buf, len, ifIndex, ifMac);
    if (type !== EtherType.IPv4) return this.notOurs();
    return this.processIpv4(buf, len, ifIndex, now);
  }

  private processArp(
    buf: Buffer,
    len: number,
    ifIndex: number,
    ifMac: Buffer | undefined,
  ): Verdict {
    const arp = ETH_HLEN;
    if (!arpIsEthIpv4(buf, arp, len) || arpOp(buf, arp) !== ArpOp.Request) return this.notOurs();
    const target = arpTargetIp(buf, arp);
    // A VIP the kernel holds is answered by the kernel; one it does not is answered by uvs.
    if (!ifMac || !this.services.isVip(target) || this.env.isLocalAddress(target))
      return this.notOurs();
    this.txLen = arpReplyInPlace(buf, target, ifMac);
    this.txIfIndex = ifIndex;
    this.counters.replied++;
    return Verdict.Reply;
  }

  private processIpv4(buf: Buffer, len: number, ifIndex: number, now: number): Verdict {
    const f = this.f;
    const ip = ETH_HLEN;
    const ihl = ipv4HeaderLen(buf, ip, len);
    if (ihl === undefined) return this.drop(DropReason.BadIpHeader);
    const total = readU16(buf, ip + Ipv4.TotalLen);
    if (total < ihl || ip + total > len) return this.drop(DropReason.Truncated);
    f.ip = ip;
    f.ipLen = total;
    f.now = now;
    f.l4 = ip + ihl;
    f.proto = buf[ip + Ipv4.Proto]!;
    f.srcAddr = readIpv4(buf, ip + Ipv4.Src);
    f.dstAddr = readIpv4(buf, ip + Ipv4.Dst);
    const end = ip + total;

    if (f.proto === IpProto.TCP || f.proto === IpProto.UDP) {
      if (ipv4IsFragment(buf, ip)) {
        // IPVS reassembles; uvs drops fragments addressed to a VIP and counts them.
        return this.services.isVip(f.dstAddr) ? this.drop(DropReason.Fragment) : this.notOurs();
      }
      const minL4 = f.proto === IpProto.TCP ? TCP_MIN_LEN : UDP_HLEN;
      if (f.l4 + minL4 > end) {
        return this.services.isVip(f.dstAddr) ? this.drop(DropReason.Truncated) : this.notOurs();
      }
      f.srcPort = readU16(buf, f.l4 + Tcp.SrcPort);
      f.dstPort = readU16(buf, f.l4 + Tcp.DstPort);
      f.tcpFlags = f.proto === IpProto.TCP ? buf[f.l4 + Tcp.Flags]! : 0;
      return this.processL4(buf, ifIndex, now);
    }
    if (
      f.proto === IpProto.ICMP &&
      f.l4 + ICMP_HLEN <= end &&
      icmpIsError(buf[f.l4 + Icmp.Type]!)
    ) {
      return this.count(forwardIcmpRelated(this, buf, f, ifIndex));
    }
    return this.notOurs();
  }

  private processL4(buf: Buffer, ifIndex: number, now: number): Verdict {
    const f = this.f;
    const c = this.conns;
    // 1. A packet from a client on a known connection.
    const marked = ifIndex === this.markIfIndex;
    let i = c.lookupIn(f.proto, f.srcAddr, f.srcPort, f.dstAddr, f.dstPort);
    if (i >= 0) {
      // A firewall-mark connection's packets are taken from the tap, not from the wire.
      if (((c.flags[i]! & ConnFlag.Marked) !== 0) !== marked) return this.notOurs();
      this.lifecycle.touch(i, f, Direction.Input, now);
      return this.count(forwardToDest(this, buf, f, i, ifIndex));
    }
    // 2. A reply from a real server of a NAT connection.
    i = c.lookupOut(f.proto, f.srcAddr, f.srcPort, f.dstAddr, f.dstPort);
    if (i >= 0 && (c.flags[i]! & ConnFlag.MethodMask) === FwdMethod.Masq) {
      this.lifecycle.touch(i, f, Direction.Output, now);
      return this.count(forwardToClient(this, buf, f, i));
    }
    // 3. A new connection to a virtual service.
    const svc = marked
      ? this.services.lookupMark(buf.readUInt32BE(Eth.Dst + 2))
      : this.services.lookupFlow(f.proto, f.dstAddr, f.dstPort);
    if (!svc) {
      if (!marked) this.sources.record(f.srcAddr, ifIndex, buf, Eth.Src);
      return this.notOurs();
    }
    // IPVS schedules TCP only on a SYN (tcp_conn_schedule); other segments have no connection.
    if (f.proto === IpProto.TCP && (f.tcpFlags & (TcpFlag.SYN | TcpFlag.RST)) !== TcpFlag.SYN) {
      return this.drop(DropReason.NoConnection);
    }
    let template = -1;
    let dest;
    if (svc.persistenceMs > 0) {
      template = this.lifecycle.bindPersistent(svc, f, now);
      dest = template >= 0 ? this.services.destsById[this.conns.destId[template]!] : undefined;
    } else {
      dest = svc.scheduler.schedule(svc.dests, f);
    }
    if (!dest) return this.drop(DropReason.NoDest);
    i = this.lifecycle.open(svc, dest, f, buf, ifIndex, now, template);
    if (marked) {
      // The way back to the client is where its frames were last seen on the wire.
      c.flags[i] = c.flags[i]! | ConnFlag.Marked;
      c.clientIf[i] = this.sources.lookup(f.srcAddr, this.macScratch, 0);
      c.setClientMac(i, this.macScratch, 0);
    }
    this.lifecycle.touch(i, f, Direction.Input, now);
    return this.count(forwardToDest(this, buf, f, i, ifIndex));
  }

  /** Counts a verdict returned by a forwarder (drops and not-ours count themselves). */
  private count(v: Verdict): Verdict {
    if (v === Verdict.Forward) this.counters.forwarded++;
    else if (v === Verdict.Reply) this.counters.replied++;
    return v;
  }

  drop(reason: DropReason): Verdict {
    this.counters.drop(reason);
    return Verdict.Drop;
  }

  notOurs(): Verdict {
    this.counters.notOurs++;
    return Verdict.NotOurs;
  }

  /** Expires connections and estimates rates; the daemon calls it about once a second. */
  tick(now: number): void {
    this.lifecycle.expire(now);
  }
}
