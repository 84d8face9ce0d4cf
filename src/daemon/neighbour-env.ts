// A forwarding thread's side of userspace ARP: next hops' MACs read from the shared table, ARP
// replies (and gratuitous ARPs) learnt into it, and a request sent for an address it lacks (at
// most one a second per address, whichever thread asks) from the engine's arena.
import type { EngineEnv } from '../engine/engine-env.js';
import type { NeighbourTable } from '../engine/shared/neighbour-table.js';
import type { FrameSink } from '../engine/frame-sink.js';
import type { LiveConfig } from '../engine/live-config.js';
import type { TxArena } from '../engine/tx-arena.js';
import { readIpv4Bits } from '../packet/addr.js';
import { Arp, arpIsEthIpv4, buildArpRequest } from '../packet/arp.js';
import { ETH_HLEN } from '../packet/ethernet.js';

export class NeighbourEnv implements EngineEnv {
  private readonly mac = Buffer.alloc(6);
  /** Set once the engine exists (it owns the arena and the configuration). */
  private out: { arena: TxArena; sink: FrameSink; config: () => LiveConfig } | undefined;

  constructor(
    private readonly table: NeighbourTable,
    private readonly clock: () => number,
  ) {}

  attach(arena: TxArena, sink: FrameSink, config: () => LiveConfig): void {
    this.out = { arena, sink, config };
  }

  neighbourMac(ip: number): Buffer | undefined {
    return this.table.lookup(ip, this.mac, 0) ? this.mac : undefined;
  }

  requestNeighbour(ip: number, ifIndex: number): void {
    const out = this.out;
    if (!out || !this.table.ask(ip, ifIndex, this.clock())) return;
    const cfg = out.config();
    const ifMac = cfg.interfaceMac(ifIndex);
    if (!ifMac) return;
    const off = out.arena.reserve(64);
    if (off < 0) return;
    const len = buildArpRequest(out.arena.buf, ifMac, cfg.interfaceAddress(ifIndex), ip, off);
    out.sink.send(out.arena.buf, off, len, ifIndex);
  }

  /** An ARP frame arrived: its sender, if it is one of our neighbours. */
  learn(buf: Buffer, off: number, len: number, ifIndex: number, now: number): void {
    const arp = off + ETH_HLEN;
    if (!arpIsEthIpv4(buf, arp, off + len)) return;
    this.table.learn(readIpv4Bits(buf, arp + Arp.Spa), buf, arp + Arp.Sha, ifIndex, now);
  }
}
