// A SyncSource over what the director shows (DirectorControl.connections(), -Lnc's view),
// until the engine hands connection changes to the sync daemon itself: each poll sends the
// connections that are new or changed state since the last one, and resends the others
// every half of their timeout so that the backup's copies never expire while they live.
// O(connections) per poll: a stand-in for the engine's own queue (see SyncSource).
import type { ConnView, ServiceView, TimeoutsView } from '../engine/model.js';
import { parseIpv4 } from '../packet/addr.js';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  IpvsConnFlag,
  IPVS_TCP_STATES,
  type SyncConn,
} from './sync-conn.js';
import type { SyncSource } from './sync-ports.js';

/** IPVS's default TCP timeouts by state (ip_vs_proto_tcp.c), seconds. */
const TCP_TIMEOUTS: Record<string, number> = {
  NONE: 2,
  ESTABLISHED: 900,
  SYN_SENT: 120,
  SYN_RECV: 60,
  FIN_WAIT: 120,
  TIME_WAIT: 120,
  CLOSE: 10,
  CLOSE_WAIT: 60,
  LAST_ACK: 30,
  LISTEN: 120,
  SYNACK: 120,
};

interface Sent {
  readonly state: string;
  readonly at: number;
  readonly timeout: number;
}

const keyOf = (c: ConnView): string =>
  `${c.proto} ${c.clientAddr}:${c.clientPort} ${c.virtualAddr}:${c.virtualPort} ${c.destAddr}:${c.destPort}`;

/** What this source reads of the director (DirectorControl has it). */
export interface ConnListing {
  services(): readonly ServiceView[];
  timeouts(): TimeoutsView;
  connections(): readonly ConnView[];
}

export class ConnViewSyncSource implements SyncSource {
  private sent = new Map<string, Sent>();

  constructor(
    private readonly director: ConnListing,
    private readonly now: () => number,
  ) {}

  drain(max: number): SyncConn[] {
    const now = this.now();
    const services = this.director.services();
    const t = this.director.timeouts();
    const next = new Map<string, Sent>();
    const out: SyncConn[] = [];
    for (const c of this.director.connections()) {
      const key = keyOf(c);
      const before = this.sent.get(key);
      const conn = toSyncConn(c, services, t);
      const due =
        !before || before.state !== c.state || now - before.at >= (before.timeout * 1000) / 2;
      if (due && out.length < max) {
        out.push(conn);
        next.set(key, { state: c.state, at: now, timeout: conn.timeout });
      } else if (before) next.set(key, before);
    }
    this.sent = next;
    return out;
  }
}

function methodOf(c: ConnView, services: readonly ServiceView[]): number {
  const proto = c.proto === 'UDP' ? 'udp' : 'tcp';
  for (const s of services) {
    if (s.key.kind === 'addr' && (s.key.vip !== c.virtualAddr || s.key.proto !== proto)) continue;
    const d = s.dests.find((x) => x.addr === c.destAddr && (x.port === c.destPort || x.port === 0));
    if (d) return d.method;
  }
  return IpvsConnFlag.Masq;
}

function persistenceOf(c: ConnView, services: readonly ServiceView[]): number {
  const s = services.find(
    (x) => x.key.kind === 'addr' && x.key.vip === c.virtualAddr && x.persistence,
  );
  return s?.persistence?.timeout ?? 360;
}

export function toSyncConn(
  c: ConnView,
  services: readonly ServiceView[],
  t: { tcp: number; tcpFin: number; udp: number },
): SyncConn {
  const protocol = c.proto === 'TCP' ? IPPROTO_TCP : c.proto === 'UDP' ? IPPROTO_UDP : 0;
  let flags = methodOf(c, services);
  let state = 0;
  let timeout: number;
  if (c.isTemplate) {
    flags |= IpvsConnFlag.Template;
    timeout = persistenceOf(c, services);
  } else if (protocol === IPPROTO_TCP) {
    state = Math.max(0, IPVS_TCP_STATES.indexOf(c.state as (typeof IPVS_TCP_STATES)[number]));
    if (c.state !== 'ESTABLISHED') flags |= IpvsConnFlag.Inactive;
    timeout =
      c.state === 'ESTABLISHED'
        ? t.tcp
        : c.state === 'FIN_WAIT'
          ? t.tcpFin
          : (TCP_TIMEOUTS[c.state] ?? 60);
  } else {
    timeout = t.udp;
  }
  return {
    protocol,
    flags,
    state,
    caddr: parseIpv4(c.clientAddr),
    cport: c.clientPort,
    vaddr: parseIpv4(c.virtualAddr),
    vport: c.virtualPort,
    daddr: parseIpv4(c.destAddr),
    dport: c.destPort,
    fwmark: 0,
    timeout,
  };
}
