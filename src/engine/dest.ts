// A real server of a virtual service, as the control plane holds it: its configuration, and the
// facts of the host about it (route, next hop) that the daemon fills in. The forwarding threads
// see it through the snapshot (LiveDest).
import { formatIpv4 } from '../packet/addr.js';
import type { DestSpec, FwdMethod } from './model.js';
import type { SnapshotDest } from './snapshot.js';

export class Dest {
  /** Slot in the shared counters; connections refer to dests by it. */
  readonly id: number;
  readonly addr: number;
  readonly port: number;
  method: FwdMethod;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;

  /** False once removed from its service: its connections live on until they expire. */
  inService = true;

  /** Where frames to this server leave: filled in by the daemon from the routes. */
  ifIndex = -1;
  /** Next hop toward the server: its own address on a connected LAN, or a gateway. */
  nextHop: number;
  /** Source address of the outer header of LVS-TUN packets (the director's, toward it). */
  tunnelSrc = 0;
  /** MTU of the route toward it when narrower than the link's (0: the link's MTU applies). */
  routeMtu = 0;

  constructor(id: number, addr: number, spec: DestSpec) {
    this.id = id;
    this.addr = addr;
    this.port = spec.port;
    this.method = spec.method;
    this.weight = spec.weight;
    this.upperThreshold = spec.upperThreshold;
    this.lowerThreshold = spec.lowerThreshold;
    this.nextHop = addr;
  }

  get addrText(): string {
    return formatIpv4(this.addr);
  }

  spec(): DestSpec {
    return {
      addr: this.addrText,
      port: this.port,
      method: this.method,
      weight: this.weight,
      upperThreshold: this.upperThreshold,
      lowerThreshold: this.lowerThreshold,
    };
  }

  snapshot(): SnapshotDest {
    return {
      id: this.id,
      addr: this.addr,
      port: this.port,
      method: this.method,
      weight: this.weight,
      upperThreshold: this.upperThreshold,
      lowerThreshold: this.lowerThreshold,
      inService: this.inService,
      ifIndex: this.ifIndex,
      nextHop: this.nextHop,
      tunnelSrc: this.tunnelSrc,
      routeMtu: this.routeMtu,
    };
  }
}
