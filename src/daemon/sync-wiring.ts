// The sync daemons' view of the connection tables, IPv4 and IPv6 (conn-sync.ts): a master sends
// what the forwarding threads queue; a backup's connections are bound to this director's
// services, and the way back to their clients is found ahead of a takeover (client-ways.ts).
import type { EngineShared } from '../engine/engine-shared.js';
import { ClientWays, hostClientRouting6 } from './client-ways.js';
import { EngineSyncSink, EngineSyncSource } from './conn-sync.js';
import type { Daemon } from './daemon.js';
import { engineNow } from './engine-clock.js';
import type { SyncTable } from './ha.js';
import type { Host } from './host.js';

export function engineSyncTable(
  shared: EngineShared,
  daemon: Daemon,
  host: Host,
): SyncTable & { close(): void } {
  const clientWays = new ClientWays(
    shared.conns,
    {
      routeTo: (ip) => host.routeTo(ip),
      neighbourMac: (ip, ifIndex) => {
        const mac = host.neighbours.lookup(ip);
        if (!mac) host.neighbours.request(ip, ifIndex);
        return mac;
      },
    },
    engineNow,
    { conns: shared.conns6, routing: hostClientRouting6(host.v6) },
  );
  return {
    source: new EngineSyncSource(shared),
    sink: new EngineSyncSink(shared, daemon.serviceTable, engineNow, clientWays),
    held: () => daemon.syncedConnections(),
    close: () => clientWays.close(),
  };
}
