// What the engine needs to know of the host, supplied by the daemon (net/) or by tests.
// Every method is called per frame: implementations must not allocate.

export interface EngineEnv {
  /** MAC of neighbour `ip` (a real server or a gateway), or undefined when unresolved. */
  neighbourMac(ip: number): Buffer | undefined;
  /** Asks for `ip` to be resolved on `ifIndex` (fire and forget; rate-limited by the callee). */
  requestNeighbour(ip: number, ifIndex: number): void;
  /** MAC of one of the director's interfaces. */
  interfaceMac(ifIndex: number): Buffer | undefined;
  /** MTU of one of the director's interfaces. */
  interfaceMtu(ifIndex: number): number;
  /** True when `ip` is configured on one of the director's kernel interfaces. */
  isLocalAddress(ip: number): boolean;
}
