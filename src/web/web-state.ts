// What the web view draws, computed from the director's views (and the checkers' states when
// uvsd runs a keepalived.conf): each virtual service with its real servers, their method,
// weight, checker state, connections, rates, and the packets counted since the previous look
// (which the page animates until the trace ring gives it packets one by one).
import type { DirectorControl } from '../control/director-control.js';
import { FwdMethod, type ServiceKey, type ServiceView } from '../engine/model.js';

/** The checkers' view of a real server; KeepalivedRunner.checkStates() gives these. */
export interface CheckState {
  readonly service: ServiceKey;
  readonly addr: string;
  readonly port: number;
  readonly method: FwdMethod;
  readonly checkers: readonly string[];
  readonly up: boolean;
  readonly reason: string;
  readonly sorry: boolean;
}

export interface CheckSource {
  checkStates(): readonly CheckState[];
}

export type MethodName = 'Masq' | 'Local' | 'Tunnel' | 'Route';
const METHOD_NAMES: Record<FwdMethod, MethodName> = {
  [FwdMethod.Masq]: 'Masq',
  [FwdMethod.Local]: 'Local',
  [FwdMethod.Tunnel]: 'Tunnel',
  [FwdMethod.Route]: 'Route',
};

export interface WebRealServer {
  readonly addr: string;
  readonly port: number;
  readonly method: MethodName;
  readonly weight: number;
  /** False for a server the checkers took out of the director (keepalived). */
  readonly inTable: boolean;
  readonly activeConns: number;
  readonly inactiveConns: number;
  readonly conns: number;
  readonly inPkts: number;
  readonly outPkts: number;
  readonly cps: number;
  readonly inPps: number;
  readonly outPps: number;
  readonly check:
    { up: boolean; reason: string; checkers: readonly string[]; sorry: boolean } | undefined;
  /** Packets and connections since the previous state (for the animation). */
  readonly delta: { inPkts: number; outPkts: number; conns: number };
}

export interface WebService {
  /** As ipvsadm -Ln heads it: "TCP 192.168.10.23:80" or "FWM 1". */
  readonly id: string;
  readonly scheduler: string;
  readonly persistence: number | undefined;
  readonly cps: number;
  readonly inPps: number;
  readonly outPps: number;
  readonly realServers: readonly WebRealServer[];
}

export interface WebState {
  readonly services: readonly WebService[];
  readonly counters: Readonly<Record<string, number>>;
}

export function serviceId(key: ServiceKey): string {
  return key.kind === 'fwmark'
    ? `FWM ${key.fwmark}`
    : `${key.proto.toUpperCase()} ${key.vip}:${key.port}`;
}

const sameKey = (a: ServiceKey, b: ServiceKey): boolean => serviceId(a) === serviceId(b);

/** Computes states, remembering the counters of the previous one for the deltas. */
export class WebStateTracker {
  private previous = new Map<string, { inPkts: number; outPkts: number; conns: number }>();

  constructor(
    private readonly director: DirectorControl,
    private readonly checks: CheckSource | undefined,
  ) {}

  next(): WebState {
    const checks = this.checks?.checkStates() ?? [];
    const seen = new Map<string, { inPkts: number; outPkts: number; conns: number }>();
    const services = this.director.services().map((s) => this.service(s, checks, seen));
    this.previous = seen;
    return { services, counters: this.director.counters() };
  }

  private service(
    s: ServiceView,
    checks: readonly CheckState[],
    seen: Map<string, { inPkts: number; outPkts: number; conns: number }>,
  ): WebService {
    const id = serviceId(s.key);
    const mine = checks.filter((c) => sameKey(c.service, s.key));
    const checkOf = (addr: string, port: number): WebRealServer['check'] => {
      const c = mine.find((x) => x.addr === addr && x.port === port);
      return c && { up: c.up, reason: c.reason, checkers: c.checkers, sorry: c.sorry };
    };
    const realServers: WebRealServer[] = s.dests.map((d) => {
      const key = `${id} ${d.addr}:${d.port}`;
      const now = { inPkts: d.stats.inPkts, outPkts: d.stats.outPkts, conns: d.stats.conns };
      seen.set(key, now);
      const was = this.previous.get(key) ?? now;
      return {
        addr: d.addr,
        port: d.port,
        method: METHOD_NAMES[d.method],
        weight: d.weight,
        inTable: true,
        activeConns: d.activeConns,
        inactiveConns: d.inactiveConns,
        ...now,
        cps: d.rate.cps,
        inPps: d.rate.inPps,
        outPps: d.rate.outPps,
        check: checkOf(d.addr, d.port),
        delta: {
          inPkts: Math.max(0, now.inPkts - was.inPkts),
          outPkts: Math.max(0, now.outPkts - was.outPkts),
          conns: Math.max(0, now.conns - was.conns),
        },
      };
    });
    // Real servers the checkers took out (or a sorry server not in use) are drawn too.
    for (const c of mine)
      if (!realServers.some((r) => r.addr === c.addr && r.port === c.port))
        realServers.push(outOfTable(c, checkOf(c.addr, c.port)));
    return {
      id,
      scheduler: s.scheduler,
      persistence: s.persistence?.timeout,
      cps: s.rate.cps,
      inPps: s.rate.inPps,
      outPps: s.rate.outPps,
      realServers,
    };
  }
}

/** A real server a checker knows and the table has not (taken out, or a sorry server unused). */
function outOfTable(c: CheckState, check: WebRealServer['check']): WebRealServer {
  return {
    addr: c.addr,
    port: c.port,
    method: METHOD_NAMES[c.method],
    weight: 0,
    inTable: false,
    activeConns: 0,
    inactiveConns: 0,
    conns: 0,
    inPkts: 0,
    outPkts: 0,
    cps: 0,
    inPps: 0,
    outPps: 0,
    check,
    delta: { inPkts: 0, outPkts: 0, conns: 0 },
  };
}
