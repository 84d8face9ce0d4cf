// Compiles the control plane's service table, timeouts and host facts into the snapshot the
// forwarding threads run on.
import type { ServiceTable } from './service-table.js';
import type { DefenseSettings, EngineSnapshot, HostFacts, SnapshotDest } from './snapshot.js';
import type { Timeouts } from './timeouts.js';

export function compileSnapshot(
  table: ServiceTable,
  timeouts: Timeouts,
  host: HostFacts,
  generation: number,
  defense: DefenseSettings,
): EngineSnapshot {
  const dests: SnapshotDest[] = [];
  for (const d of table.destsById) if (d) dests.push(d.snapshot());
  return {
    generation,
    services: table.ordered.map((s) => s.snapshot()),
    dests,
    interfaces: host.interfaces,
    localAddresses: host.localAddresses,
    localAddresses6: host.localAddresses6 ?? [],
    disownedVips: host.disownedVips ?? [],
    disownedVips6: host.disownedVips6 ?? [],
    markIfIndex: host.markIfIndex,
    tcpTimeouts: [...timeouts.tcp],
    udpTimeout: timeouts.udp,
    defense,
  };
}
