// The configuration of an engine before the control plane published anything: no service,
// IPVS's default timeouts.
import type { EngineSnapshot } from './snapshot.js';
import { Timeouts } from './timeouts.js';

const defaults = new Timeouts();

/** The defences off, as IPVS's sysctls default (amemthresh: a sixteenth of the table then). */
export const NO_DEFENSE = {
  dropEntry: 0,
  dropPacket: 0,
  secureTcp: 0,
  amemthresh: 0,
  firstSynDrop: 0,
};

export const EMPTY_SNAPSHOT: EngineSnapshot = {
  generation: 0,
  services: [],
  dests: [],
  interfaces: [],
  localAddresses: [],
  localAddresses6: [],
  disownedVips: [],
  disownedVips6: [],
  markIfIndex: -1,
  tcpTimeouts: [...defaults.tcp],
  udpTimeout: defaults.udp,
  defense: NO_DEFENSE,
};
