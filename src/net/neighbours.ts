// Userspace ARP (RFC 826): the MACs of real servers and gateways, resolved by uvs itself
// through the io backend, learnt from every ARP frame that arrives, and refreshed while in
// use so that a real server whose MAC changes is followed without a restart.
import { prefixMask, readIpv4 } from '../packet/addr.js';
import { Arp, arpIsEthIpv4, buildArpRequest } from '../packet/arp.js';
import { ETH_HLEN } from '../packet/ethernet.js';
import { FIRST_FRAME_OFFSET } from '../io/frame-layout.js';
import type { InterfaceTable } from './interfaces.js';

/** Requests for one address are at least this far apart; unanswered ones are forgotten after TRIES. */
const TRIES = 3;
const RETRY_MS = 1000;
/** An entry older than this is re-ARPed by refresh(); unanswered for 3 tries, it is dropped. */
const REFRESH_AFTER_MS = 30_000;

interface Entry {
  readonly mac: Buffer;
  ifIndex: number;
  updated: number;
  /** Refresh requests sent since the last answer. */
  unanswered: number;
}

export type FrameSender = (ifIndex: number, buf: Buffer, off: number, len: number) => boolean;

export class Neighbours {
  private readonly entries = new Map<number, Entry>();
  /** Addresses asked for and not answered yet → when the last request left. */
  private readonly pending = new Map<number, number>();
  /** An ARP request, laid out as io/frame-layout.ts says (zeroed virtio_net_hdr before it). */
  private readonly txBuf = Buffer.alloc(FIRST_FRAME_OFFSET + 64);

  constructor(
    private readonly send: FrameSender,
    private readonly ifaces: InterfaceTable,
    private readonly clock: () => number = Date.now,
  ) {}

  /** MAC of `ip`, or undefined. Called per frame: a Map lookup, nothing allocated. */
  lookup(ip: number): Buffer | undefined {
    return this.entries.get(ip)?.mac;
  }

  /** Learns from any inbound ARP frame (at `off`): the sender's address, if we care about it. */
  learn(buf: Buffer, off: number, len: number, ifIndex: number): void {
    const arp = off + ETH_HLEN;
    if (!arpIsEthIpv4(buf, arp, off + len)) return;
    const ip = readIpv4(buf, arp + Arp.Spa);
    const entry = this.entries.get(ip);
    const pending = this.pending.has(ip);
    if (!entry && !pending) return;
    const now = this.clock();
    if (entry) {
      buf.copy(entry.mac, 0, arp + Arp.Sha, arp + Arp.Sha + 6);
      entry.ifIndex = ifIndex;
      entry.updated = now;
      entry.unanswered = 0;
    } else {
      const mac = Buffer.from(buf.subarray(arp + Arp.Sha, arp + Arp.Sha + 6));
      this.entries.set(ip, { mac, ifIndex, updated: now, unanswered: 0 });
    }
    if (pending) this.pending.delete(ip);
  }

  /** Fire-and-forget resolution of `ip` on `ifIndex`, at most one request a second. */
  request(ip: number, ifIndex: number): void {
    const now = this.clock();
    const last = this.pending.get(ip);
    if (last !== undefined && now - last < RETRY_MS) return;
    this.pending.set(ip, now);
    this.sendRequest(ip, ifIndex);
  }

  /** Re-ARPs entries that are getting old; forgets those that stopped answering. */
  refresh(inUse: (ip: number) => boolean): void {
    const now = this.clock();
    for (const [ip, e] of this.entries) {
      if (!inUse(ip)) {
        if (now - e.updated > REFRESH_AFTER_MS) this.entries.delete(ip);
        continue;
      }
      if (now - e.updated < REFRESH_AFTER_MS) continue;
      if (e.unanswered >= TRIES) {
        this.entries.delete(ip);
        continue;
      }
      e.unanswered++;
      this.sendRequest(ip, e.ifIndex);
    }
    // Forget fire-and-forget requests nobody answered.
    for (const [ip, last] of this.pending) {
      if (now - last > TRIES * RETRY_MS) this.pending.delete(ip);
    }
  }

  private sendRequest(ip: number, ifIndex: number): void {
    const iface = this.ifaces.get(ifIndex);
    if (!iface) return;
    // Ask from our address on the target's subnet, else from any address of the interface.
    const onSubnet = iface.addrs.find((a) => {
      const m = prefixMask(a.prefixLen);
      return (a.addr & m) >>> 0 === (ip & m) >>> 0;
    });
    const src = (onSubnet ?? iface.addrs[0])?.addr ?? 0;
    const len = buildArpRequest(this.txBuf, iface.mac, src, ip, FIRST_FRAME_OFFSET);
    this.send(ifIndex, this.txBuf, FIRST_FRAME_OFFSET, len);
  }

  close(): void {
    this.pending.clear();
  }
}
