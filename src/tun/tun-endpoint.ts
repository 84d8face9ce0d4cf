// The real-server side of LVS-TUN on a host without the `ipip`/`ip6_tunnel`/`sit` modules:
// tunnel packets addressed to this host (IPIP, IPv6 in IPv6, and the mixed IPv4/IPv6 pairs
// IPVS sends to a real server of the other family) are taken off the wire (libpcap), their
// outer header removed, and the inner packet handed to the local stack through a veth pair
// of our own (uvstun0 → uvstun1), where the kernel receives it as if from a tunnel device;
// the VIP sits on `lo` as for the kernel's tunl0/ip6tnl0. The kernel's own answer to them
// (ICMP protocol unreachable, ICMPv6 parameter problem: it has no tunnel module) is
// prevented by an nftables ingress rule of ours.
import capPkg from 'cap';
import { formatIpv4, formatIpv6, formatMac } from '../packet/addr.js';
import { ETH_HLEN, writeEthHeader } from '../packet/ethernet.js';
import { newIpv6Chain } from '../packet/ipv6.js';
import { InterfaceTable, type Interface } from '../net/interfaces.js';
import { isLocalIpv6, readIpv6Addresses, type Ipv6IfAddress } from '../net/interface-addrs6.js';
import { run, runSyncQuiet } from '../net/run.js';
import {
  DecapStatus,
  locateInner,
  type InnerPacket,
  type LocalAddresses,
  type VipFilter,
} from './decapsulate.js';

const { Cap } = capPkg;

export const INJECT_IF = 'uvstun0';
export const RECEIVE_IF = 'uvstun1';
const NFT_TABLE = 'uvs_tun';

export class TunEndpointError extends Error {
  readonly code = 'E_TUN_ENDPOINT';
}

export interface TunEndpointCounters {
  received: number;
  delivered: number;
  notForUs: number;
  badInner: number;
  vipRefused: number;
}

export class TunEndpoint {
  readonly counters: TunEndpointCounters = {
    received: 0,
    delivered: 0,
    notForUs: 0,
    badInner: 0,
    vipRefused: 0,
  };
  private readonly caps: InstanceType<typeof Cap>[] = [];
  private injector: InstanceType<typeof Cap> | undefined;
  private readonly ifaces = new InterfaceTable();
  private local = new Set<number>();
  private local6: Ipv6IfAddress[] = [];
  private readonly localAddrs: LocalAddresses = {
    has4: (a) => this.local.has(a),
    has6: (buf, off) => isLocalIpv6(this.local6, buf, off),
  };
  private readonly chain = newIpv6Chain();
  private readonly inner: InnerPacket = { start: 0, end: 0, proto: 0, etherType: 0, dst: 0 };

  constructor(
    private readonly wanted: readonly string[],
    /** Inner destinations accepted; empty = any local address. */
    private readonly vips: VipFilter,
  ) {}

  /** Creates the veth pair and the guard, then starts decapsulating; returns served interfaces. */
  async start(): Promise<string[]> {
    await this.ifaces.refresh();
    const served = this.chooseInterfaces();
    runSyncQuiet('ip', ['link', 'del', INJECT_IF]); // a stale pair of a killed endpoint
    await run('ip', ['link', 'add', INJECT_IF, 'type', 'veth', 'peer', 'name', RECEIVE_IF]);
    for (const i of [INJECT_IF, RECEIVE_IF]) {
      runSyncQuiet('ethtool', [
        '-K',
        i,
        'tx',
        'off',
        'rx',
        'off',
        'tso',
        'off',
        'gso',
        'off',
        'gro',
        'off',
      ]);
      await run('ip', ['link', 'set', i, 'up']);
    }
    // Inner packets come from clients anywhere: no reverse-path check on the receiving side.
    for (const k of ['all', RECEIVE_IF])
      await run('sysctl', ['-qw', `net.ipv4.conf.${k}.rp_filter=0`]);
    await this.ifaces.refresh();
    this.local = new Set(this.ifaces.localAddresses());
    this.local6 = await readIpv6Addresses();
    await run('nft', ['-f', '-'], this.guardRuleset(served));
    const inject = this.ifaces.named(INJECT_IF);
    const receive = this.ifaces.named(RECEIVE_IF);
    if (!inject || !receive)
      throw new TunEndpointError(`could not create ${INJECT_IF}/${RECEIVE_IF}`);
    this.injector = new Cap();
    this.injector.open(INJECT_IF, 'ether proto 0x88b5', 1 << 20, Buffer.alloc(2048));
    for (const iface of served) this.capture(iface, inject.mac, receive.mac);
    return served.map((i) => i.name);
  }

  private chooseInterfaces(): Interface[] {
    if (this.wanted.length === 0) {
      return this.ifaces
        .all()
        .filter(
          (i) =>
            !i.loopback &&
            i.name !== INJECT_IF &&
            i.name !== RECEIVE_IF &&
            i.mac.some((b) => b !== 0),
        );
    }
    return this.wanted.map((n) => {
      const i = this.ifaces.named(n);
      if (!i) throw new TunEndpointError(`-i ${n}: no such interface`);
      return i;
    });
  }

  private guardRuleset(served: readonly Interface[]): string {
    const local = [...this.local].map(formatIpv4).join(', ');
    const local6 = this.local6.map((a) => formatIpv6(a.addr)).join(', ');
    const lines = [
      `table netdev ${NFT_TABLE}`,
      `delete table netdev ${NFT_TABLE}`,
      `table netdev ${NFT_TABLE} {`,
    ];
    served.forEach((i, k) => {
      lines.push(
        `  chain ingress_${k} {`,
        `    type filter hook ingress device ${JSON.stringify(i.name)} priority -500; policy accept;`,
      );
      if (local !== '') lines.push(`    ip protocol { 4, 41 } ip daddr { ${local} } drop`);
      if (local6 !== '') lines.push(`    meta l4proto { 4, 41 } ip6 daddr { ${local6} } drop`);
      lines.push('  }');
    });
    lines.push('}', '');
    return lines.join('\n');
  }

  private capture(iface: Interface, injectMac: Buffer, receiveMac: Buffer): void {
    const cap = new Cap();
    const buf = Buffer.alloc(65536);
    // IPVS puts no extension header in an outer IPv6 header; a destination options header
    // (RFC 2473's encapsulation limit, as the kernel's ip6tnl adds) is let through too.
    const tunnels = 'ip proto 4 or ip proto 41 or ip6 proto 4 or ip6 proto 41 or ip6 proto 60';
    cap.open(iface.name, `(${tunnels}) and not ether src ${formatMac(iface.mac)}`, 8 << 20, buf);
    cap.on('packet', (len: number) => this.decapsulate(buf, len, injectMac, receiveMac));
    this.caps.push(cap);
  }

  /** Outer header off, Ethernet header toward uvstun1 on, sent on uvstun0. In place. */
  private decapsulate(buf: Buffer, len: number, injectMac: Buffer, receiveMac: Buffer): void {
    this.counters.received++;
    const inner = this.inner;
    const status = locateInner(buf, len, this.localAddrs, this.chain, inner);
    if (status === DecapStatus.NotForUs) {
      this.counters.notForUs++;
      return;
    }
    if (status === DecapStatus.BadInner) {
      this.counters.badInner++;
      return;
    }
    if (!this.vips.allows(buf, inner)) {
      this.counters.vipRefused++;
      return;
    }
    buf.copyWithin(ETH_HLEN, inner.start, inner.end);
    writeEthHeader(buf, receiveMac, injectMac, inner.etherType);
    this.injector?.send(buf, ETH_HLEN + inner.end - inner.start);
    this.counters.delivered++;
  }

  /** Synchronous: from signal and exit handlers. */
  close(): void {
    for (const c of this.caps) c.close();
    this.caps.length = 0;
    this.injector?.close();
    this.injector = undefined;
    runSyncQuiet('nft', ['delete', 'table', 'netdev', NFT_TABLE]);
    runSyncQuiet('ip', ['link', 'del', INJECT_IF]);
  }
}
