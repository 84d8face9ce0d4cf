// The way back to the client of a NAT connection learnt by sync: the master knew it from the
// client's frames, the backup has only the address. Found in the background on the backup —
// the route to the client (cached per address), then its next hop's MAC (asked by ARP when
// unknown, tried again a few times) — so that a new master can send a real server's reply
// before the client has sent anything to it (a download through a failover). The engine also
// learns it from the client's first frame, whichever comes first.
import { Cf } from '../engine/conn-layout.js';
import type { ConnTable } from '../engine/conn-table.js';

export interface ClientRouting {
  /** The route toward `ip` (unsigned): interface and gateway, as the kernel's table says. */
  routeTo(ip: number): Promise<{ ifIndex: number; gateway?: number }>;
  /** The MAC of `ip` on `ifIndex` if known; asks for it (ARP) otherwise. */
  neighbourMac(ip: number, ifIndex: number): Buffer | undefined;
}

interface Pending {
  readonly slot: number;
  readonly caddr: number;
  tries: number;
}

/** Attempts per connection (one a second) before giving up on its neighbour. */
const TRIES = 5;
const RETRY_MS = 1000;
const ROUTE_CACHE_MS = 30_000;
/** Connections waiting at most (a flood of sync messages cannot grow it without bound). */
const MAX_PENDING = 65536;

export class ClientWays {
  private readonly pending: Pending[] = [];
  private readonly routes = new Map<number, { ifIndex: number; nextHop: number; at: number }>();
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly conns: ConnTable,
    private readonly routing: ClientRouting,
    private readonly clock: () => number,
  ) {}

  /** Finds the way back to the client of connection `slot` (caddr unsigned). */
  learn(slot: number, caddr: number): void {
    if (this.pending.length >= MAX_PENDING) return;
    this.pending.push({ slot, caddr, tries: 0 });
    void this.run();
  }

  private async run(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    try {
      const retry: Pending[] = [];
      while (this.pending.length > 0 && !this.isClosed()) {
        const p = this.pending.shift()!;
        if (!(await this.resolve(p)) && ++p.tries < TRIES) retry.push(p);
      }
      if (retry.length > 0 && !this.isClosed()) {
        this.pending.push(...retry);
        this.timer = setTimeout(() => void this.run(), RETRY_MS);
      }
    } finally {
      this.running = false;
    }
  }

  /** True when done (the way set, learnt meanwhile, or the connection gone). */
  private async resolve(p: Pending): Promise<boolean> {
    const c = this.conns;
    if (!c.isUsed(p.slot) || c.caddr(p.slot) >>> 0 !== p.caddr) return true;
    if (c.word(p.slot, Cf.ClientIf) >= 0) return true;
    const now = this.clock();
    let route = this.routes.get(p.caddr);
    if (!route || now - route.at > ROUTE_CACHE_MS) {
      try {
        const r = await this.routing.routeTo(p.caddr);
        route = { ifIndex: r.ifIndex, nextHop: r.gateway ?? p.caddr, at: now };
        this.routes.set(p.caddr, route);
      } catch {
        return false;
      }
    }
    const mac = this.routing.neighbourMac(route.nextHop, route.ifIndex);
    if (!mac) return false;
    if (!c.isUsed(p.slot) || c.word(p.slot, Cf.ClientIf) >= 0) return true;
    c.setClientWay(p.slot, route.ifIndex, mac, 0);
    return true;
  }

  /** Read through a call: close() may run while run() awaits a route. */
  private isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
