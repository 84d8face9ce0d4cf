// `uvs-lab ha --check`: who is master; pages through the VIP; a long numbered stream through
// NAT while the master's cables are pulled — the backup takes over (timed), the stream is
// checked line by line, new requests go through the new master; cables back, the higher
// priority preempts. Also `sync-status`, run inside a director: what its backup sync daemon
// holds, as -Lnc shows connections.
import { ControlClient } from '../control/control-client.js';
import { defaultSocketPath } from '../control/socket-path.js';
import type { ConnView } from '../engine/model.js';
import { listConnections } from '../ipvsadm/format-listing.js';
import type { SyncStats } from '../sync/sync-daemon.js';

/** The uvsd of this namespace: its sync counters and held connections, as text. */
export async function syncStatusText(): Promise<string> {
  const client = new ControlClient(defaultSocketPath());
  await client.connect();
  try {
    const s = await client.call<{ stats: SyncStats; held: ConnView[] }>('syncStatus');
    const fmt = {
      numeric: true,
      stats: false,
      rate: false,
      thresholds: false,
      persistentConn: false,
      exact: false,
      nosort: false,
    };
    return (
      `sync: ${s.stats.messagesSent} message(s) / ${s.stats.connsSent} connection(s) sent, ` +
      `${s.stats.messagesReceived} / ${s.stats.connsReceived} received\n` +
      listConnections(s.held, fmt)
    );
  } finally {
    client.close();
  }
}
