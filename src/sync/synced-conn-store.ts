// A SyncSink that keeps what the backup learnt, by connection, each for its timeout from
// its last message (as the backup's IPVS arms cp->timeout): what the engine's table must
// take over until it implements SyncSink itself, shown as -Lnc would show it.
import type { ConnStateName, ConnView } from '../engine/model.js';
import { formatIpv4 } from '../packet/addr.js';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  IpvsConnFlag,
  IPVS_TCP_STATES,
  type SyncConn,
} from './sync-conn.js';
import type { SyncSink } from './sync-ports.js';

/** Held connections at most (a flood of sync messages cannot grow it without bound). */
const MAX_HELD = 1 << 20;

export class SyncedConnStore implements SyncSink {
  private readonly held = new Map<string, { conn: SyncConn; expiresAt: number }>();
  /** Connections refused because the store was full. */
  overflow = 0;

  apply(conn: SyncConn, now: number): void {
    const key = `${conn.protocol} ${conn.caddr}:${conn.cport} ${conn.vaddr}:${conn.vport} ${conn.flags & IpvsConnFlag.Template}`;
    if (!this.held.has(key) && this.held.size >= MAX_HELD) {
      this.overflow++;
      return;
    }
    this.held.set(key, { conn, expiresAt: now + conn.timeout * 1000 });
  }

  /** Live connections at `now` (expired ones are dropped). */
  list(now: number): SyncConn[] {
    const out: SyncConn[] = [];
    for (const [k, h] of this.held) {
      if (h.expiresAt <= now) this.held.delete(k);
      else out.push(h.conn);
    }
    return out;
  }

  /** As -Lnc prints connections. */
  views(now: number): ConnView[] {
    return [...this.held.values()]
      .filter((h) => h.expiresAt > now)
      .map(({ conn: c, expiresAt }) => {
        const template = (c.flags & IpvsConnFlag.Template) !== 0;
        const proto =
          c.protocol === IPPROTO_TCP ? 'TCP' : c.protocol === IPPROTO_UDP ? 'UDP' : 'IP';
        const state: ConnStateName = template
          ? 'NONE'
          : c.protocol === IPPROTO_TCP
            ? (IPVS_TCP_STATES[c.state] ?? 'NONE')
            : 'UDP';
        return {
          proto,
          expiresMs: expiresAt - now,
          state,
          clientAddr: formatIpv4(c.caddr),
          clientPort: c.cport,
          virtualAddr: formatIpv4(c.vaddr),
          virtualPort: c.vport,
          destAddr: formatIpv4(c.daddr),
          destPort: c.dport,
          isTemplate: template,
        };
      });
  }
}
