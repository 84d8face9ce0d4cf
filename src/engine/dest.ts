// A real server of a virtual service, as the engine holds it.
import { formatIpv4 } from '../packet/addr.js';
import type { DestSpec, DestView, FwdMethod } from './model.js';
import { Stats } from './stats.js';

export class Dest {
  /** Index in the engine's dest registry; connections refer to dests by it. */
  readonly id: number;
  readonly addr: number;
  readonly port: number;
  method: FwdMethod;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;

  activeConns = 0;
  inactiveConns = 0;
  persistentConns = 0;
  readonly stats = new Stats();

  /** False once removed from its service: its connections live on until they expire. */
  inService = true;
  /** Set when upperThreshold is reached, cleared below lowerThreshold (IPVS overload flag). */
  overloaded = false;

  /** Where frames to this server leave: filled in by the control plane from the routes. */
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

  /** IPVS's count of connections for least-connection schedulers. */
  get overhead(): number {
    return this.activeConns * 256 + this.inactiveConns;
  }

  /** Applies -x/-y after a connection count changed (ip_vs_dest_totalconns thresholds). */
  updateOverload(): void {
    if (this.upperThreshold === 0) {
      this.overloaded = false;
      return;
    }
    const total = this.activeConns + this.inactiveConns;
    if (total >= this.upperThreshold) this.overloaded = true;
    else if (this.overloaded) {
      const low = this.lowerThreshold > 0 ? this.lowerThreshold : (this.upperThreshold * 3) >> 2;
      if (total < low) this.overloaded = false;
    }
  }

  /** Can receive new connections: in service, weight > 0, not overloaded. */
  get available(): boolean {
    return this.inService && this.weight > 0 && !this.overloaded;
  }

  view(): DestView {
    return {
      addr: this.addrText,
      port: this.port,
      method: this.method,
      weight: this.weight,
      upperThreshold: this.upperThreshold,
      lowerThreshold: this.lowerThreshold,
      activeConns: this.activeConns,
      inactiveConns: this.inactiveConns,
      persistentConns: this.persistentConns,
      stats: this.stats.view(),
      rate: this.stats.rate(),
    };
  }
}
