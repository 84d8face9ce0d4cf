// uvsd's high availability, wired over the daemon as it is: VRRP frames go in and out through
// a capture of their own on the VRRP interfaces (VrrpPcapLink: protocol 112 of IPv4 and IPv6
// only, whatever io the forwarding uses); a VRRP backup's VIPs count as the host's own addresses
// in what the forwarding threads know (GatedHost), so that the engine answers no ARP or ND for
// them, serves none of their traffic, and uvsd announces none; the host adds and removes VIPs
// on the kernel interfaces and reports carriers (HostVrrp).
import { readFileSync } from 'node:fs';
import { writeIpv6Words } from '../packet/addr.js';
import { run, runSyncQuiet } from '../net/run.js';
import type { HostFacts } from '../engine/snapshot.js';
import { PcapBackend } from '../io/pcap-backend.js';
import {
  formatVrrpAddr,
  ipv6BigWords,
  readIpv6Big,
  writeIpv6Big,
  type VrrpAddr,
} from '../vrrp/vrrp-addr.js';
import type { VipOwnership, VrrpHost, VrrpInterface, VrrpLink } from '../vrrp/vrrp-ports.js';
import type { VirtualAddress } from '../vrrp/vrrp-spec.js';
import { Host } from './host.js';

/** The capture of VRRP frames: IPv4 protocol 112, IPv6 next header 112. */
export const VRRP_CAPTURE_FILTER = 'ip proto 112 or ip6 proto 112';

/** The VIPs this director must not serve now (a VRRP backup's), IPv4 and IPv6. */
export class VipGate implements VipOwnership {
  private readonly disowned = new Set<VrrpAddr>();
  private readonly listeners: (() => void)[] = [];

  setVipOwnership(vips: readonly VrrpAddr[], owned: boolean): void {
    let changed = false;
    for (const v of vips) {
      if (owned === this.disowned.has(v)) changed = true;
      if (owned) this.disowned.delete(v);
      else this.disowned.add(v);
    }
    if (changed) for (const l of this.listeners) l();
  }

  ownsVip(addr: VrrpAddr): boolean {
    return !this.disowned.has(addr);
  }

  /** The IPv4 VIPs disowned now. */
  disownedVips(): number[] {
    return [...this.disowned].filter((a) => typeof a === 'number');
  }

  /** The IPv6 VIPs disowned now, four words each (as the engine's snapshot carries them). */
  disownedVips6(): number[][] {
    return [...this.disowned].flatMap((a) => (typeof a === 'bigint' ? [ipv6BigWords(a)] : []));
  }

  /** Ownership changed: the forwarding's facts must be published again. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
}

/**
 * VRRP frames through a capture of their own (libpcap, VRRP_CAPTURE_FILTER) on the VRRP interfaces,
 * sent on the same handles. The worker-thread io will carry them itself (lead).
 */
export class VrrpPcapLink implements VrrpLink {
  private readonly io: PcapBackend;
  private handler: ((frame: Buffer, len: number, ifIndex: number) => void) | undefined;

  constructor(
    lookup: (name: string) => { ifIndex: number; mac: Buffer } | undefined,
    private readonly ifNames: readonly string[],
  ) {
    this.io = new PcapBackend(lookup, new Map(ifNames.map((n) => [n, VRRP_CAPTURE_FILTER])));
  }

  open(): void {
    this.io.open(this.ifNames, (buf, off, len, ifIndex) =>
      this.handler?.(off === 0 ? buf : buf.subarray(off), len, ifIndex),
    );
  }

  send(ifIndex: number, frame: Buffer, len: number): boolean {
    return this.io.send(ifIndex, frame, 0, len);
  }

  onFrame(handler: (frame: Buffer, len: number, ifIndex: number) => void): void {
    this.handler = handler;
  }

  close(): void {
    this.io.close();
  }
}

/** `ip -j link show`: which interfaces are up with a carrier (LOWER_UP). */
async function readRunning(): Promise<Map<string, boolean>> {
  const rows = JSON.parse(await run('ip', ['-j', 'link', 'show'])) as {
    ifname: string;
    flags?: string[];
  }[];
  return new Map(
    rows.map((r) => [
      r.ifname,
      (r.flags ?? []).includes('UP') && (r.flags ?? []).includes('LOWER_UP'),
    ]),
  );
}

/** `ip addr add|del`: IPv6 VIPs with nodad, as keepalived adds them (IFA_F_NODAD). */
const ipAddrArgs = (op: 'add' | 'del', v: VirtualAddress, dev: string): string[] => [
  ...(typeof v.addr === 'bigint' ? ['-6'] : []),
  'addr',
  op,
  `${formatVrrpAddr(v.addr)}/${v.prefixLen}`,
  'dev',
  dev,
  ...(typeof v.addr === 'bigint' && op === 'add' ? ['nodad'] : []),
];

/** VrrpHost over the daemon's Host: its interface table, neighbours and link watch. */
export class HostVrrp implements VrrpHost {
  private running = new Map<string, boolean>();
  private readonly listeners: (() => void)[] = [];
  private refreshing: Promise<void> = Promise.resolve();
  /** VIPs added by this uvsd and not removed yet: given back at exit. */
  private readonly added = new Map<string, [VirtualAddress, string]>();
  private readonly addr6 = Buffer.alloc(16);
  private readonly forwarding = new Map<string, { on: boolean; at: number }>();
  /** Ethernet groups joined by joinGroup6: [dev, mac]. */
  private readonly joined: [string, string][] = [];

  constructor(
    private readonly host: Host,
    private readonly log: (msg: string) => void,
    private readonly runScriptLine: (line: string) => void,
  ) {
    host.onHostChange(() => this.changed());
  }

  /** Reads carriers once before the runtime starts. */
  async init(): Promise<void> {
    this.running = await readRunning();
  }

  private changed(): void {
    this.refreshing = this.refreshing
      .then(async () => {
        await this.host.refresh();
        this.running = await readRunning();
        for (const l of this.listeners) l();
      })
      .catch((err: Error) => this.log(`uvsd: VRRP: ${err.message}`));
  }

  interfaceNamed(name: string): VrrpInterface | undefined {
    const i = this.host.interfaces.named(name);
    if (!i) return undefined;
    const linkLocal = this.linkLocal6(i.ifIndex);
    return {
      name,
      ifIndex: i.ifIndex,
      mac: i.mac,
      addr: i.addrs[0]?.addr,
      ...(linkLocal !== undefined ? { linkLocal6: linkLocal } : {}),
      router6: this.forwards6(name),
      running: this.running.get(name) ?? i.up,
    };
  }

  /** The interface's link-local address, one past duplicate address detection first. */
  private linkLocal6(ifIndex: number): bigint | undefined {
    const own = this.host.interfaces
      .addresses6()
      .filter((a) => a.ifIndex === ifIndex && a.linkLocal);
    const a = own.find((x) => !x.tentative) ?? own[0];
    return a && readIpv6Big(a.addr, 0);
  }

  /** net.ipv6.conf.IF.forwarding, read again after 5 s at the most (as keepalived rechecks it). */
  private forwards6(name: string): boolean {
    const now = Date.now();
    const seen = this.forwarding.get(name);
    if (seen && now - seen.at < 5000) return seen.on;
    let on = false;
    try {
      on = readFileSync(`/proc/sys/net/ipv6/conf/${name}/forwarding`, 'utf8').trim() === '1';
    } catch {
      // No IPv6 on that interface: no router flag.
    }
    this.forwarding.set(name, { on, at: now });
    return on;
  }

  peerMac(ip: VrrpAddr, ifIndex: number): Buffer | undefined {
    if (typeof ip === 'number') {
      const mac = this.host.neighbours.lookup(ip);
      if (!mac) this.host.neighbours.request(ip, ifIndex);
      return mac;
    }
    writeIpv6Big(this.addr6, 0, ip);
    const nd = this.host.v6.neighbours;
    const mac = nd.lookup(this.addr6, 0);
    if (!mac) nd.request(this.addr6, 0, ifIndex);
    return mac && Buffer.from(mac);
  }

  addVip(v: VirtualAddress, dev: string): void {
    this.added.set(`${v.addr}/${dev}`, [v, dev]);
    run('ip', ipAddrArgs('add', v, dev)).catch((err: Error) => {
      if (!/File exists/.test(err.message)) this.log(`uvsd: VRRP: ${err.message}`);
    });
  }

  removeVip(v: VirtualAddress, dev: string, now: boolean): void {
    this.added.delete(`${v.addr}/${dev}`);
    if (now) {
      runSyncQuiet('ip', ipAddrArgs('del', v, dev));
      return;
    }
    // An address that is not there (the usual case at startup) is not an error.
    run('ip', ipAddrArgs('del', v, dev)).catch(() => {});
  }

  /**
   * Subscribes `dev` to the Ethernet group of ff02::12 (33:33:00:00:00:12), as keepalived's
   * IPV6_ADD_MEMBERSHIP does: a NIC that filters multicast passes the adverts. (The libpcap
   * capture is promiscuous and needs it not; a capture that is not would.)
   */
  joinGroup6(dev: string, mac: string): void {
    this.joined.push([dev, mac]);
    run('ip', ['maddr', 'add', mac, 'dev', dev]).catch((err: Error) => {
      if (!/File exists/.test(err.message)) this.log(`uvsd: VRRP: ${err.message}`);
    });
  }

  /** Exit handler: the VIPs this uvsd still holds and its group subscriptions go, synchronously. */
  releaseAll(): void {
    for (const [v, dev] of this.added.values()) runSyncQuiet('ip', ipAddrArgs('del', v, dev));
    this.added.clear();
    for (const [dev, mac] of this.joined) runSyncQuiet('ip', ['maddr', 'del', mac, 'dev', dev]);
    this.joined.length = 0;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  runScript(line: string): void {
    this.runScriptLine(line);
  }
}

/**
 * The daemon's Host, for which a VRRP backup's VIPs are addresses of the host: the engine answers
 * ARP only for VIPs that are not (the kernel does for its own), and uvsd announces only those.
 */
export class GatedHost extends Host {
  private readonly bytes = Buffer.alloc(16);

  constructor(
    private readonly gate: VipGate,
    ...args: ConstructorParameters<typeof Host>
  ) {
    super(...args);
  }

  override isLocalAddress(ip: number): boolean {
    return !this.gate.ownsVip(ip) || super.isLocalAddress(ip);
  }

  override facts(markIfIndex: number): HostFacts {
    const f = super.facts(markIfIndex);
    const disowned = this.gate.disownedVips();
    const disowned6 = this.gate.disownedVips6();
    if (disowned.length === 0 && disowned6.length === 0) return f;
    // Not answered by ARP or ND (local to the engine's eyes), and not served.
    return {
      ...f,
      localAddresses: [...new Set([...f.localAddresses, ...disowned])],
      localAddresses6: [...(f.localAddresses6 ?? []), ...disowned6],
      disownedVips: disowned,
      disownedVips6: disowned6,
    };
  }

  override announce(ip: number): void {
    if (this.gate.ownsVip(ip)) super.announce(ip);
  }

  override announce6(vip: Uint32Array): void {
    writeIpv6Words(this.bytes, 0, vip);
    if (this.gate.ownsVip(readIpv6Big(this.bytes, 0))) super.announce6(vip);
  }
}
