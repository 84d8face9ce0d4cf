// uvsd's high availability, wired over the daemon as it is: VRRP frames go in and out through
// a capture of their own on the VRRP interfaces (VrrpPcapLink: protocol 112 only, whatever io
// the forwarding uses); a VRRP backup's VIPs count as the host's own addresses in what the
// forwarding threads know (GatedHost), so that the engine answers no ARP for them and uvsd
// announces none, until the engine follows VipOwnership itself; the host adds and removes
// VIPs on the kernel interfaces and reports carriers (HostVrrp).
import { formatIpv4 } from '../packet/addr.js';
import { run, runSyncQuiet } from '../net/run.js';
import type { HostFacts } from '../engine/snapshot.js';
import { PcapBackend } from '../io/pcap-backend.js';
import type { VipOwnership, VrrpHost, VrrpInterface, VrrpLink } from '../vrrp/vrrp-ports.js';
import type { VirtualAddress } from '../vrrp/vrrp-spec.js';
import { Host } from './host.js';

/** The VIPs this director must not serve now (a VRRP backup's). */
export class VipGate implements VipOwnership {
  private readonly disowned = new Set<number>();
  private readonly listeners: (() => void)[] = [];

  setVipOwnership(vips: readonly number[], owned: boolean): void {
    let changed = false;
    for (const v of vips) {
      if (owned === this.disowned.has(v)) changed = true;
      if (owned) this.disowned.delete(v);
      else this.disowned.add(v);
    }
    if (changed) for (const l of this.listeners) l();
  }

  ownsVip(addr: number): boolean {
    return !this.disowned.has(addr);
  }

  /** The VIPs disowned now. */
  disownedVips(): number[] {
    return [...this.disowned];
  }

  /** Ownership changed: the forwarding's facts must be published again. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
}

/**
 * VRRP frames through a capture of their own (libpcap, "ip proto 112") on the VRRP interfaces,
 * sent on the same handles. The worker-thread io will carry them itself (lead).
 */
export class VrrpPcapLink implements VrrpLink {
  private readonly io: PcapBackend;
  private handler: ((frame: Buffer, len: number, ifIndex: number) => void) | undefined;

  constructor(
    lookup: (name: string) => { ifIndex: number; mac: Buffer } | undefined,
    private readonly ifNames: readonly string[],
  ) {
    this.io = new PcapBackend(lookup, new Map(ifNames.map((n) => [n, 'ip proto 112'])));
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

const ipAddrArgs = (op: 'add' | 'del', v: VirtualAddress, dev: string): string[] => [
  'addr',
  op,
  `${formatIpv4(v.addr)}/${v.prefixLen}`,
  'dev',
  dev,
];

/** VrrpHost over the daemon's Host: its interface table, neighbours and link watch. */
export class HostVrrp implements VrrpHost {
  private running = new Map<string, boolean>();
  private readonly listeners: (() => void)[] = [];
  private refreshing: Promise<void> = Promise.resolve();
  /** VIPs added by this uvsd and not removed yet: given back at exit. */
  private readonly added = new Map<string, [VirtualAddress, string]>();

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
    return {
      name,
      ifIndex: i.ifIndex,
      mac: i.mac,
      addr: i.addrs[0]?.addr,
      running: this.running.get(name) ?? i.up,
    };
  }

  peerMac(ip: number, ifIndex: number): Buffer | undefined {
    const mac = this.host.neighbours.lookup(ip);
    if (!mac) this.host.neighbours.request(ip, ifIndex);
    return mac;
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

  /** Exit handler: the VIPs this uvsd still holds go, synchronously. */
  releaseAll(): void {
    for (const [v, dev] of this.added.values()) runSyncQuiet('ip', ipAddrArgs('del', v, dev));
    this.added.clear();
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
    if (disowned.length === 0) return f;
    // Not answered by ARP (local to the engine's eyes), and not served.
    return {
      ...f,
      localAddresses: [...new Set([...f.localAddresses, ...disowned])],
      disownedVips: disowned,
    };
  }

  override announce(ip: number): void {
    if (this.gate.ownsVip(ip)) super.announce(ip);
  }
}
