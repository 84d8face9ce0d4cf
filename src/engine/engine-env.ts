// What the engine needs to know of the host beyond its configuration snapshot: the neighbours
// (real servers' and gateways' MACs), resolved in userspace. Supplied by the daemon (net/) or by
// tests. Called per frame: implementations must not allocate.

export interface EngineEnv {
  /**
   * MAC of neighbour `ip` (a real server or a gateway), or undefined when unresolved. The Buffer
   * may be reused by the next call: copy it at once.
   */
  neighbourMac(ip: number): Buffer | undefined;
  /** Asks for `ip` to be resolved on `ifIndex` (fire and forget; rate-limited by the callee). */
  requestNeighbour(ip: number, ifIndex: number): void;
}
