// The configuration of an engine before the control plane published anything: no service,
// IPVS's default timeouts.
import type { EngineSnapshot } from './snapshot.js';
import { Timeouts } from './timeouts.js';

const defaults = new Timeouts();

export const EMPTY_SNAPSHOT: EngineSnapshot = {
  generation: 0,
  services: [],
  dests: [],
  interfaces: [],
  localAddresses: [],
  markIfIndex: -1,
  tcpTimeouts: [...defaults.tcp],
  udpTimeout: defaults.udp,
};
