// Userspace ARP (RFC 826): the MACs of real servers and gateways, resolved by uvs itself
// through the io backend, learnt from every ARP frame that arrives, and refreshed while in
// use so that a real server whose MAC changes is followed without a restart.
import { formatIpv4, prefixMask, readIpv4 } from '../packet/addr.js';
import { Arp, arpIsEthIpv4, buildArpRequest } from '../packet/arp.js';
import { ETH_HLEN } from '../packet/ethernet.js';
import type { InterfaceTable } from './interfaces.js';

export class NeighbourError extends Error {
  readonly code = 'E_NEIGHBOUR';
}

/** Retries of a resolution, and their spacing. */
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

interface Pending {
  ifIndex: number;
  lastSent: number;
  tries: number;
  waiters: { resolve: (mac: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[];
}

export type FrameSender = (ifIndex: number, buf: Buffer, len: number) => boolean;

export class Neighbours {
  private readonly entries = new Map<number, Entry>();
  private readonly pending = new Map<number, Pending>();
  private readonly txBuf = Buffer.alloc(64);

  constructor(
    private readonly send: FrameSender,
    private readonly ifaces: InterfaceTable,
    private readonly clock: () => number = Date.now,
  ) {}

  /** MAC of `ip`, or undefined. Called per frame: a Map lookup, nothing allocated. */
  lookup(ip: number): Buffer | undefined {
    return this.entries.get(ip)?.mac;
  }

  /** Learns from any inbound ARP frame: the sender's address, if we care about it. */
  learn(buf: Buffer, len: number, ifIndex: number): void {
    const arp = ETH_HLEN;
    if (!arpIsEthIpv4(buf, arp, len)) return;
    const ip = readIpv4(buf, arp + Arp.Spa);
    const entry = this.entries.get(ip);
    const pending = this.pending.get(ip);
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
    if (pending) {
      this.pending.delete(ip);
      const mac = this.entries.get(ip)!.mac;
      for (const w of pending.waiters) {
        clearTimeout(w.timer);
        w.resolve(mac);
      }
    }
  }

  /** Fire-and-forget resolution of `ip` on `ifIndex`, at most one request a second. */
  request(ip: number, ifIndex: number): void {
    const now = this.clock();
    const p = this.pending.get(ip);
    if (p && now - p.lastSent < RETRY_MS) return;
    if (p) {
      p.lastSent = now;
      p.tries++;
    } else {
      this.pending.set(ip, { ifIndex, lastSent: now, tries: 1, waiters: [] });
    }
    this.sendRequest(ip, ifIndex);
  }

  /** Resolves `ip`, retrying; rejects naming the address when nobody answers. */
  resolve(ip: number, ifIndex: number): Promise<Buffer> {
    const known = this.lookup(ip);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      let tries = 0;
      const attempt = (): void => {
        const p = this.pending.get(ip);
        if (tries >= TRIES) {
          if (p) {
            const i = p.waiters.findIndex((w) => w.resolve === resolve);
            if (i >= 0) p.waiters.splice(i, 1);
          }
          reject(new NeighbourError(`no ARP answer from ${formatIpv4(ip)} after ${TRIES} requests`));
          return;
        }
        tries++;
        this.request(ip, ifIndex);
        const entry = this.pending.get(ip);
        const timer = setTimeout(attempt, RETRY_MS);
        const existing = entry?.waiters.find((w) => w.resolve === resolve);
        if (existing) existing.timer = timer;
        else entry?.waiters.push({ resolve, reject, timer });
      };
      attempt();
    });
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
    for (const [ip, p] of this.pending) {
      if (p.waiters.length === 0 && now - p.lastSent > TRIES * RETRY_MS) this.pending.delete(ip);
    }
  }

  private sendRequest(ip: number, ifIndex: number): void {
    const iface = this.ifaces.get(ifIndex);
    if (!iface) return;
    // Ask from our address on the target's subnet, else from any address of the interface.
    const onSubnet = iface.addrs.find((a) => {
      const m = prefixMask(a.prefixLen);
      return ((a.addr & m) >>> 0) === ((ip & m) >>> 0);
    });
    const src = (onSubnet ?? iface.addrs[0])?.addr ?? 0;
    const len = buildArpRequest(this.txBuf, iface.mac, src, ip);
    this.send(ifIndex, this.txBuf, len);
  }

  close(): void {
    for (const p of this.pending.values()) for (const w of p.waiters) clearTimeout(w.timer);
    this.pending.clear();
  }
}
