// The way back to the client of a NAT connection learnt by sync, IPv4 or IPv6: the master knew
// it from the client's frames, the backup has only the address. Found in the background on the
// backup — the route to the client (`ip route get`, `ip -6 route get`; cached per address),
// then its next hop's MAC (asked by ARP or neighbour solicitation when unknown, tried again a
// few times) — so that a new master can send a real server's reply before the client has sent
// anything to it (a download through a failover). The engine also learns it from the client's
// first frame, whichever comes first.
import { Cf, Cf6 } from '../engine/conn-layout.js';
import type { ConnTable } from '../engine/conn-table.js';
import type { ConnTable6 } from '../engine/conn-table6.js';
import { formatIpv6Words, parseIpv6 } from '../packet/addr.js';
import type { Host6 } from './host6.js';

export interface ClientRouting {
  /** The route toward `ip` (unsigned): interface and gateway, as the kernel's table says. */
  routeTo(ip: number): Promise<{ ifIndex: number; gateway?: number }>;
  /** The MAC of `ip` on `ifIndex` if known; asks for it (ARP) otherwise. */
  neighbourMac(ip: number, ifIndex: number): Buffer | undefined;
}

/** The same for IPv6 clients, addresses as canonical text. */
export interface ClientRouting6 {
  /** The route toward `addr` (`ip -6 route get`): interface and gateway. */
  routeTo6(addr: string): Promise<{ ifIndex: number; gateway?: string }>;
  /** The MAC of `addr` on `ifIndex` if known; asks for it (neighbour solicitation) otherwise. */
  neighbourMac6(addr: string, ifIndex: number): Buffer | undefined;
}

/** What the sync sink asks for a NAT connection it made (ClientWays does it). */
export interface ClientWayFinder {
  /** The client of IPv4 connection `slot` is `caddr` (unsigned). */
  learn(slot: number, caddr: number): void;
  /** The client of IPv6 connection `slot` is `caddr` (canonical text). */
  learn6(slot: number, caddr: string): void;
}

/** ClientRouting6 over the host's IPv6 side: its routes and its neighbour discovery. */
export function hostClientRouting6(host6: Host6): ClientRouting6 {
  return {
    routeTo6: (addr) => host6.routeTo(addr),
    neighbourMac6: (addr, ifIndex) => {
      const bytes = parseIpv6(addr);
      const mac = host6.neighbours.lookup(bytes, 0);
      if (!mac) host6.neighbours.request(bytes, 0, ifIndex);
      return mac;
    },
  };
}

type Pending =
  | { readonly v6: false; readonly slot: number; readonly caddr: number; tries: number }
  | { readonly v6: true; readonly slot: number; readonly caddr: string; tries: number };

interface CachedRoute<A> {
  readonly ifIndex: number;
  readonly nextHop: A;
  readonly at: number;
}

/** The interface toward a client and its next hop's MAC. */
interface Way {
  readonly ifIndex: number;
  readonly mac: Buffer;
}

/** Attempts per connection (one a second) before giving up on its neighbour. */
const TRIES = 5;
const RETRY_MS = 1000;
const ROUTE_CACHE_MS = 30_000;
/** Connections waiting at most (a flood of sync messages cannot grow it without bound). */
const MAX_PENDING = 65536;

export class ClientWays implements ClientWayFinder {
  private readonly pending: Pending[] = [];
  private readonly routes = new Map<number, CachedRoute<number>>();
  private readonly routes6 = new Map<string, CachedRoute<string>>();
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly conns: ConnTable,
    private readonly routing: ClientRouting,
    private readonly clock: () => number,
    /** The IPv6 table and routing; without them IPv6 clients are learnt from their frames only. */
    private readonly v6?: { readonly conns: ConnTable6; readonly routing: ClientRouting6 },
  ) {}

  /** Finds the way back to the client of connection `slot` (caddr unsigned). */
  learn(slot: number, caddr: number): void {
    this.enqueue({ v6: false, slot, caddr, tries: 0 });
  }

  /** Finds the way back to the client of IPv6 connection `slot` (caddr canonical text). */
  learn6(slot: number, caddr: string): void {
    if (this.v6) this.enqueue({ v6: true, slot, caddr, tries: 0 });
  }

  private enqueue(p: Pending): void {
    if (this.pending.length >= MAX_PENDING) return;
    this.pending.push(p);
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
    if (!this.waiting(p)) return true;
    const way = p.v6 ? await this.way6(p.caddr) : await this.way4(p.caddr);
    if (!way) return false;
    if (!this.waiting(p)) return true;
    (p.v6 ? this.v6!.conns : this.conns).setClientWay(p.slot, way.ifIndex, way.mac, 0);
    return true;
  }

  /** The connection is still the one asked about (not freed, its slot not reused) and has no way. */
  private waiting(p: Pending): boolean {
    if (p.v6) {
      const c = this.v6!.conns;
      return (
        c.isUsed(p.slot) &&
        c.word(p.slot, Cf.ClientIf) < 0 &&
        formatIpv6Words(c.u, c.addrOff(p.slot, Cf6.Caddr)) === p.caddr
      );
    }
    const c = this.conns;
    return c.isUsed(p.slot) && c.word(p.slot, Cf.ClientIf) < 0 && c.caddr(p.slot) >>> 0 === p.caddr;
  }

  private async way4(caddr: number): Promise<Way | undefined> {
    const route = await this.route(this.routes, caddr, async () => {
      const r = await this.routing.routeTo(caddr);
      return { ifIndex: r.ifIndex, nextHop: r.gateway ?? caddr };
    });
    const mac = route && this.routing.neighbourMac(route.nextHop, route.ifIndex);
    return mac ? { ifIndex: route.ifIndex, mac } : undefined;
  }

  private async way6(caddr: string): Promise<Way | undefined> {
    const routing = this.v6!.routing;
    const route = await this.route(this.routes6, caddr, async () => {
      const r = await routing.routeTo6(caddr);
      return { ifIndex: r.ifIndex, nextHop: r.gateway ?? caddr };
    });
    const mac = route && routing.neighbourMac6(route.nextHop, route.ifIndex);
    return mac ? { ifIndex: route.ifIndex, mac } : undefined;
  }

  /** The route toward `key`, from the cache or asked; undefined when the asking failed. */
  private async route<A>(
    cache: Map<A, CachedRoute<A>>,
    key: A,
    ask: () => Promise<{ ifIndex: number; nextHop: A }>,
  ): Promise<CachedRoute<A> | undefined> {
    const now = this.clock();
    const cached = cache.get(key);
    if (cached && now - cached.at <= ROUTE_CACHE_MS) return cached;
    try {
      const r = await ask();
      const route = { ifIndex: r.ifIndex, nextHop: r.nextHop, at: now };
      // Many clients (a flood of sync messages) start the cache again rather than grow it.
      if (cache.size >= MAX_PENDING) cache.clear();
      cache.set(key, route);
      return route;
    } catch {
      return undefined;
    }
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
