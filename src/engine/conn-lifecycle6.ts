// Opening IPv6 connections and their persistence templates: ConnLifecycle over the IPv6 table
// (touch — states, timeouts, counters — is the same code), with the addresses as words. A
// template is keyed by the client's address masked by -M as a prefix length (IPVS's
// ipv6_addr_prefix in ip_vs_sched_persist), and for a firewall-mark service by the mark in the
// first word of the virtual address, where IPVS puts it.
import { maskIpv6Words } from '../packet/addr.js';
import { Eth } from '../packet/ethernet.js';
import { Cf, ConnFlag } from './conn-layout.js';
import { TemplateFiller, ConnLifecycle } from './conn-lifecycle.js';
import type { ConnTable6, TemplateInit6 } from './conn-table6.js';
import type { EngineShared } from './engine-shared.js';
import type { FrameFields } from './frame-fields.js';
import type { LiveConfig, LiveService } from './live-config.js';
import type { LiveDest } from './live-dest.js';
import { FwdMethod } from './model.js';
import { DestCount } from './shared/dest-counters.js';
import { TcpState } from './tcp-state.js';

class TemplateFiller6 extends TemplateFiller implements TemplateInit6 {
  daddr6: Uint32Array = new Uint32Array(4);
  daddr6Off = 0;
}

export class ConnLifecycle6 extends ConnLifecycle {
  private readonly conns6: ConnTable6;
  private readonly filler6: TemplateFiller6;
  /** The masked client and the virtual address (VIP or mark) of a template being looked up. */
  private readonly client = new Uint32Array(4);
  private readonly virtual = new Uint32Array(4);
  /** An IPv4 real server of an IPv6 service (TUN) as an IPv4-mapped address, ::ffff:a.b.c.d. */
  private readonly mapped = new Uint32Array([0, 0, 0xffff, 0]);

  constructor(shared: EngineShared, config: () => LiveConfig) {
    super(shared, config, shared.conns6, shared.wheel6);
    this.conns6 = shared.conns6;
    this.filler6 = new TemplateFiller6(shared.conns6);
  }

  /** The words the connection table keeps for `dest`'s address. */
  private destWords(dest: LiveDest): Uint32Array {
    if (dest.family === 6) return dest.addr6;
    this.mapped[3] = dest.addr;
    return this.mapped;
  }

  /** As ConnLifecycle.open, for an IPv6 flow. -1 when the table is full. */
  open6(
    svc: LiveService,
    dest: LiveDest,
    f: FrameFields,
    buf: Buffer,
    ifIndex: number,
    template: number,
  ): number {
    const c = this.conns6;
    // NAT remaps to the real port; DR/TUN, and a port-0 (all ports) real server, keep the port.
    const dport = dest.method === FwdMethod.Masq && dest.port !== 0 ? dest.port : f.dstPort;
    const flags = dest.method | ConnFlag.Inactive;
    const d = this.destWords(dest);
    const i = c.prepare6(f.proto, f.src6, 0, f.srcPort, f.dst6, 0, f.dstPort, d, 0, dport, flags);
    if (i < 0) return -1;
    c.setWord(i, Cf.SvcId, svc.id);
    c.setWord(i, Cf.DestId, dest.id);
    c.setWord(i, Cf.Fwmark, svc.fwmark);
    c.setWord(i, Cf.ClientIf, ifIndex);
    c.setClientMac(i, buf, f.eth + Eth.Src);
    c.setWord(i, Cf.ControlOf, template);
    const timeout = this.config().timeoutMs(f.proto, TcpState.None);
    c.setWord(i, Cf.TimeoutMs, timeout);
    c.setExpires(i, f.now + timeout);
    c.publish(i);
    if (template >= 0) c.addWord(template, Cf.NControl, 1);
    dest.count(DestCount.Inactive, 1);
    dest.updateOverload();
    this.shared.stats.connection(svc.id, dest.id);
    this.wheel.add(i);
    return i;
  }

  /**
   * Persistence for an IPv6 service: the template binding this client's prefix to a real
   * server, scheduled and made on first contact. Its slot, or -1 when no server is available.
   */
  bindPersistent6(svc: LiveService, f: FrameFields): number {
    const c = this.conns6;
    const client = this.client;
    client.set(f.src6);
    maskIpv6Words(client, svc.persistencePrefix);
    const virtual = this.virtual;
    if (svc.fwmark !== 0) {
      virtual.fill(0);
      virtual[0] = svc.fwmark;
    } else virtual.set(svc.vip6);
    const proto = svc.fwmark !== 0 ? 0 : svc.proto;
    const t = c.lookupTemplate6(proto, client, 0, virtual, 0, svc.port);
    if (t >= 0) {
      const bound = this.config().destsById[c.word(t, Cf.DestId)];
      if (bound && bound.inService) {
        c.setExpires(t, f.now + svc.persistenceMs);
        return t;
      }
      this.invalidate(t, f.now);
    }
    const dest = svc.scheduler.schedule(svc.dests, f);
    if (!dest) return -1;
    const fl = this.filler6;
    fl.daddr6 = this.destWords(dest);
    fl.dport = dest.port;
    fl.flags = dest.method;
    fl.svc = svc.id;
    fl.dest = dest.id;
    fl.fwmark = svc.fwmark;
    fl.timeoutMs = svc.persistenceMs;
    fl.now = f.now;
    const made = c.templateFor6(proto, client, 0, virtual, 0, svc.port, fl);
    if (made >= 0 && fl.created) {
      dest.count(DestCount.Persistent, 1);
      this.wheel.add(made);
    } else if (made >= 0) {
      c.setExpires(made, f.now + svc.persistenceMs);
    }
    return made;
  }
}
