// Userspace ARP (RFC 826): the MACs of real servers and gateways, resolved by uvs itself
// through the io backend, learnt from every ARP frame that arrives, and refreshed while in
// use so that a real server whose MAC changes is followed without a restart. The MACs are in
// the shared NeighbourTable (forwarding threads read them and learn from ARP too); this is the
// main thread's side: asking, learning, refreshing.
import { NeighbourState, type NeighbourTable } from '../engine/shared/neighbour-table.js';
import { FIRST_FRAME_OFFSET } from '../packet/frame-layout.js';
import { prefixMask, readIpv4 } from '../packet/addr.js';
import { Arp, arpIsEthIpv4, buildArpRequest } from '../packet/arp.js';
import { ETH_HLEN } from '../packet/ethernet.js';
import type { InterfaceTable } from '../net/interfaces.js';

/** Unanswered requests for an address are given up after TRIES (one a second). */
const TRIES = 3;
/** An entry older than this is re-ARPed by refresh(); unanswered for 3 tries, it is dropped. */
const REFRESH_AFTER_MS = 30_000;

export type FrameSender = (ifIndex: number, buf: Buffer, off: number, len: number) => boolean;

export class Neighbours {
  /** An ARP request, laid out as packet/frame-layout.ts says (zeroed virtio_net_hdr before it). */
  private readonly txBuf = Buffer.alloc(FIRST_FRAME_OFFSET + 64);
  private readonly mac = Buffer.alloc(6);

  constructor(
    private readonly send: FrameSender,
    private readonly ifaces: InterfaceTable,
    readonly table: NeighbourTable,
    private readonly clock: () => number = Date.now,
  ) {}

  /** MAC of `ip`, or undefined (the Buffer is reused by the next call). Allocation-free. */
  lookup(ip: number): Buffer | undefined {
    return this.table.lookup(ip, this.mac, 0) ? this.mac : undefined;
  }

  /** Learns from any inbound ARP frame (at `off`): the sender's address, if we care about it. */
  learn(buf: Buffer, off: number, len: number, ifIndex: number): void {
    const arp = off + ETH_HLEN;
    if (!arpIsEthIpv4(buf, arp, off + len)) return;
    this.table.learn(readIpv4(buf, arp + Arp.Spa), buf, arp + Arp.Sha, ifIndex, this.clock());
  }

  /** Fire-and-forget resolution of `ip` on `ifIndex`, at most one request a second. */
  request(ip: number, ifIndex: number): void {
    if (this.table.ask(ip, ifIndex, this.clock())) this.sendRequest(ip, ifIndex);
  }

  /** Re-ARPs entries that are getting old; forgets those that stopped answering. */
  refresh(inUse: (ip: number) => boolean): void {
    const t = this.table;
    const now = this.clock();
    for (const ip of [...t.addresses()]) {
      if (t.state(ip) === NeighbourState.Pending) {
        // Asked and never answered: forgotten after TRIES seconds.
        if (Math.floor(now / 1000) - t.askedAt(ip) > TRIES) t.forget(ip);
        continue;
      }
      const age = now - t.updatedAt(ip);
      if (!inUse(ip)) {
        if (age > REFRESH_AFTER_MS) t.forget(ip);
        continue;
      }
      if (age < REFRESH_AFTER_MS) continue;
      if (t.unanswered(ip) > TRIES) t.forget(ip);
      else this.sendRequest(ip, t.ifIndexOf(ip));
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

  close(): void {}
}
