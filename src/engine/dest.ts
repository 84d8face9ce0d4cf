// A real server of a virtual service, as the control plane holds it: its configuration, and the
// facts of the host about it (route, next hop) that the daemon fills in. The forwarding threads
// see it through the snapshot (LiveDest). Its family is its address's: a TUN real server may be
// of the other family than its service (IPv6 in IPv4, IPv4 in IPv6), as IPVS allows.
import type { Family, HostAddress } from './host-address.js';
import type { DestSpec, FwdMethod } from './model.js';
import type { SnapshotDest } from './snapshot.js';

export class Dest {
  /** Slot in the shared counters; connections refer to dests by it. */
  readonly id: number;
  readonly family: Family;
  /** The IPv4 address; for an IPv6 server, the fold of its words (what schedulers hash). */
  readonly addr: number;
  /** The IPv6 address as four words (zeros for IPv4). */
  readonly addr6: Uint32Array;
  /** Canonical text of the address (dotted quad, or inet_ntop's IPv6 form). */
  readonly addrText: string;
  readonly port: number;
  method: FwdMethod;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;

  /** False once removed from its service: its connections live on until they expire. */
  inService = true;

  /** Where frames to this server leave: filled in by the daemon from the routes. */
  ifIndex = -1;
  /** Next hop toward the server: its own address on a connected LAN, or a gateway (IPv4). */
  nextHop: number;
  /** Source address of the outer header of LVS-TUN packets (the director's, toward it; IPv4). */
  tunnelSrc = 0;
  /** The same two for an IPv6 server, four words each. */
  readonly nextHop6 = new Uint32Array(4);
  readonly tunnelSrc6 = new Uint32Array(4);
  /** MTU of the route toward it when narrower than the link's (0: the link's MTU applies). */
  routeMtu = 0;

  constructor(id: number, addr: HostAddress, spec: DestSpec) {
    this.id = id;
    this.family = addr.family;
    this.addr = addr.v4;
    this.addr6 = addr.v6;
    this.addrText = addr.text;
    this.port = spec.port;
    this.method = spec.method;
    this.weight = spec.weight;
    this.upperThreshold = spec.upperThreshold;
    this.lowerThreshold = spec.lowerThreshold;
    this.nextHop = addr.v4;
    this.nextHop6.set(addr.v6);
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
    const v6 = this.family === 6;
    return {
      id: this.id,
      family: this.family,
      addr: this.addr,
      addr6: v6 ? [...this.addr6] : [],
      nextHop6: v6 ? [...this.nextHop6] : [],
      tunnelSrc6: v6 ? [...this.tunnelSrc6] : [],
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
