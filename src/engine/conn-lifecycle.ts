// Opening, refreshing and expiring connections: IPVS's TCP states and timeouts, the dests'
// active/inactive counts, and the per-service and per-dest counters.
import { formatIpv4 } from '../packet/addr.js';
import { Eth } from '../packet/ethernet.js';
import { IpProto } from '../packet/ipv4.js';
import { ConnFlag, type ConnTable } from './conn-table.js';
import type { Dest } from './dest.js';
import { FwdMethod, type ConnView } from './model.js';
import type { Service } from './service.js';
import type { ServiceTable } from './service-table.js';
import { RATE_PERIOD_MS } from './stats.js';
import { Direction, nextTcpState, TCP_STATE_NAMES, TcpState } from './tcp-state.js';
import type { Timeouts } from './timeouts.js';

/** The fields of a packet the lifecycle needs (see Engine's FrameFields). */
export interface PacketFacts {
  readonly proto: number;
  readonly srcAddr: number;
  readonly srcPort: number;
  readonly dstAddr: number;
  readonly dstPort: number;
  readonly tcpFlags: number;
  readonly ipLen: number;
}

export class ConnLifecycle {
  private lastEstimate = -1;

  constructor(
    private readonly conns: ConnTable,
    private readonly services: ServiceTable,
    private readonly timeouts: Timeouts,
  ) {}

  /** Creates the connection of a new flow to `dest`, remembering the way back to the client. */
  open(
    svc: Service,
    dest: Dest,
    f: PacketFacts,
    buf: Buffer,
    ifIndex: number,
    now: number,
    template = -1,
  ): number {
    const c = this.conns;
    // NAT remaps to the real port; DR/TUN, and a port-0 (all ports) real server, keep the port.
    const dport = dest.method === FwdMethod.Masq && dest.port !== 0 ? dest.port : f.dstPort;
    const i = c.add(
      f.proto,
      f.srcAddr,
      f.srcPort,
      f.dstAddr,
      f.dstPort,
      dest.addr,
      dport,
      dest.method | ConnFlag.Inactive,
    );
    c.svcId[i] = this.services.idOf(svc);
    c.destId[i] = dest.id;
    c.setClientMac(i, buf, Eth.Src);
    c.clientIf[i] = ifIndex;
    c.state[i] = f.proto === IpProto.TCP ? TcpState.None : 0;
    if (template >= 0) {
      c.controlOf[i] = template;
      c.nControl[template] = c.nControl[template]! + 1;
    }
    dest.inactiveConns++;
    dest.updateOverload();
    dest.stats.conns++;
    svc.stats.conns++;
    this.setTimeout(
      i,
      f.proto === IpProto.TCP ? this.timeouts.tcp[TcpState.None]! : this.timeouts.udp,
      now,
    );
    return i;
  }

  /**
   * Persistence (IPVS templates): the real server that this client (masked by -M) is bound
   * to on a persistent service, scheduling and creating the template on first contact.
   * Returns the template's slot, or -1 when no server is available.
   */
  bindPersistent(svc: Service, f: PacketFacts & { readonly now: number }, now: number): number {
    const c = this.conns;
    const key = (f.srcAddr & svc.persistenceMask) >>> 0;
    let t = svc.templates.get(key);
    if (t !== undefined) {
      const bound = this.services.destsById[c.destId[t]!];
      // IPVS keeps using a template whose server is quiescent (expire_quiescent_template=0),
      // not one whose server was removed.
      if (bound && bound.inService) {
        this.setTimeout(t, svc.persistenceMs / 1000, now);
        return t;
      }
      svc.templates.delete(key);
    }
    const dest = svc.scheduler.schedule(svc.dests, f);
    if (!dest) return -1;
    // IPVS keys a fwmark service's templates by the mark, printed where the VIP would be.
    const vaddr = svc.key.kind === 'fwmark' ? svc.key.fwmark : svc.vip;
    t = c.add(
      svc.proto,
      key,
      0,
      vaddr,
      svc.port,
      dest.addr,
      dest.port,
      dest.method | ConnFlag.Template,
    );
    c.svcId[t] = this.services.idOf(svc);
    c.destId[t] = dest.id;
    dest.persistentConns++;
    svc.templates.set(key, t);
    this.setTimeout(t, svc.persistenceMs / 1000, now);
    return t;
  }

  private setTimeout(i: number, seconds: number, now: number): void {
    const ms = seconds * 1000;
    this.conns.timeoutMs[i] = ms;
    this.conns.expires[i] = now + ms;
  }

  /** A packet of connection `i` went `dir`: state, timer, counters. */
  touch(i: number, f: PacketFacts, dir: Direction, now: number): void {
    const c = this.conns;
    const dest = this.services.destsById[c.destId[i]!];
    const svc = this.services.servicesById[c.svcId[i]!];
    if (dir === Direction.Output) {
      if (dest) {
        dest.stats.outPkts++;
        dest.stats.outBytes += f.ipLen;
      }
      if (svc) {
        svc.stats.outPkts++;
        svc.stats.outBytes += f.ipLen;
      }
    } else {
      if (dest) {
        dest.stats.inPkts++;
        dest.stats.inBytes += f.ipLen;
      }
      if (svc) {
        svc.stats.inPkts++;
        svc.stats.inBytes += f.ipLen;
      }
    }
    if (f.proto !== IpProto.TCP) {
      this.setTimeout(i, this.timeouts.udp, now);
      return;
    }
    // Replies of DR/TUN bypass the director: IPVS reads such connections with INPUT_ONLY.
    const method = c.flags[i]! & ConnFlag.MethodMask;
    const d = dir === Direction.Input && method !== FwdMethod.Masq ? Direction.InputOnly : dir;
    const old = c.state[i]! as TcpState;
    const next = nextTcpState(old, d, f.tcpFlags);
    if (next !== old) {
      c.state[i] = next;
      if (dest) this.accountState(i, dest, next);
    }
    this.setTimeout(i, this.timeouts.tcp[next]!, now);
  }

  /** IPVS counts a connection active only while ESTABLISHED. */
  private accountState(i: number, dest: Dest, state: TcpState): void {
    const c = this.conns;
    const inactive = (c.flags[i]! & ConnFlag.Inactive) !== 0;
    if (!inactive && state !== TcpState.Established) {
      dest.activeConns--;
      dest.inactiveConns++;
      c.flags[i] = c.flags[i]! | ConnFlag.Inactive;
    } else if (inactive && state === TcpState.Established) {
      dest.activeConns++;
      dest.inactiveConns--;
      c.flags[i] = c.flags[i]! & ~ConnFlag.Inactive;
    }
  }

  private close(i: number): void {
    const c = this.conns;
    const dest = this.services.destsById[c.destId[i]!];
    const t = c.controlOf[i]!;
    if (t >= 0) c.nControl[t] = c.nControl[t]! - 1;
    if (c.flags[i]! & ConnFlag.Template) {
      const svc = this.services.servicesById[c.svcId[i]!];
      if (svc && svc.templates.get(c.caddr[i]!) === i) svc.templates.delete(c.caddr[i]!);
    }
    if (dest) {
      if (c.flags[i]! & ConnFlag.Template) dest.persistentConns--;
      else if (c.flags[i]! & ConnFlag.Inactive) dest.inactiveConns--;
      else dest.activeConns--;
      dest.updateOverload();
      this.services.releaseIfUnused(dest);
    }
    c.remove(i);
  }

  /** Removes expired connections; estimates rates every RATE_PERIOD_MS. */
  expire(now: number): void {
    const c = this.conns;
    for (let i = 0; i < c.capacity; i++) {
      if (!c.used[i] || c.expires[i]! > now) continue;
      // A template outlives the connections it controls (IPVS restarts its timer).
      if (c.flags[i]! & ConnFlag.Template && c.nControl[i]! > 0)
        c.expires[i] = now + c.timeoutMs[i]!;
      else this.close(i);
    }
    if (this.lastEstimate < 0) this.lastEstimate = now;
    if (now - this.lastEstimate >= RATE_PERIOD_MS) {
      const period = now - this.lastEstimate;
      this.lastEstimate = now;
      for (const svc of this.services.ordered) {
        svc.stats.estimate(period);
        for (const d of svc.dests) d.stats.estimate(period);
      }
    }
  }

  views(now: number): ConnView[] {
    const c = this.conns;
    const out: ConnView[] = [];
    for (let i = 0; i < c.capacity; i++) {
      if (!c.used[i]) continue;
      const tcp = c.proto[i] === IpProto.TCP;
      const template = (c.flags[i]! & ConnFlag.Template) !== 0;
      out.push({
        proto: c.proto[i] === 0 ? 'IP' : tcp ? 'TCP' : 'UDP',
        expiresMs: Math.max(0, c.expires[i]! - now),
        state: template ? 'NONE' : tcp ? TCP_STATE_NAMES[c.state[i]!]! : 'UDP',
        clientAddr: formatIpv4(c.caddr[i]!),
        clientPort: c.cport[i]!,
        virtualAddr: formatIpv4(c.vaddr[i]!),
        virtualPort: c.vport[i]!,
        destAddr: formatIpv4(c.daddr[i]!),
        destPort: c.dport[i]!,
        isTemplate: template,
      });
    }
    return out;
  }
}
