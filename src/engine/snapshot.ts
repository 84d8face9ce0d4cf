// The configuration the fast path runs on, as plain data: what the control plane compiles from
// its service table and the host's facts, and publishes whole to every forwarding thread on
// every change (structured-cloned to workers). Nothing in it is shared or mutable: a thread
// builds its LiveConfig from it between two batches, so no frame ever sees half a change.
/** IPVS's SYN-flood defences (defense.ts); modes 0-3 as IPVS's sysctls. */
export interface DefenseSettings {
  readonly dropEntry: number;
  readonly dropPacket: number;
  readonly secureTcp: number;
  /** Free table slots below which the director is "short" (IPVS: free memory pages). */
  readonly amemthresh: number;
  /** uvs's own: refuse first SYNs while a receive ring backs up (first-syn-drop.ts; 0-2). */
  readonly firstSynDrop: number;
}

export interface SnapshotDest {
  readonly id: number;
  /** 6 for an IPv6 real server (then addr is the fold of addr6, nextHop6 and tunnelSrc6 apply). */
  readonly family: 4 | 6;
  readonly addr: number;
  /** IPv6: its address, the next hop and the TUN outer source as four words each ([] for IPv4). */
  readonly addr6: readonly number[];
  readonly nextHop6: readonly number[];
  readonly tunnelSrc6: readonly number[];
  readonly port: number;
  readonly method: number;
  readonly weight: number;
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  /** False once removed from its service: its connections live on until they expire. */
  readonly inService: boolean;
  /** Where frames to it leave (-1: no route yet), the next hop, the TUN outer source, route MTU. */
  readonly ifIndex: number;
  readonly nextHop: number;
  readonly tunnelSrc: number;
  readonly routeMtu: number;
}

export interface SnapshotService {
  readonly id: number;
  /** Non-zero for a firewall-mark service (then proto, vip and port are 0). */
  readonly fwmark: number;
  /** 6 for an IPv6 service (an address one, or a `-6` firewall-mark one). */
  readonly family: 4 | 6;
  readonly proto: number;
  readonly vip: number;
  /** IPv6 VIP as four words ([] for IPv4 and firewall-mark services). */
  readonly vip6: readonly number[];
  readonly port: number;
  readonly scheduler: string;
  readonly schedFlags: readonly string[];
  /** 0 when the service is not persistent. */
  readonly persistenceMs: number;
  readonly persistenceMask: number;
  /** IPv6: -M as a prefix length (128: one client). */
  readonly persistencePrefix: number;
  /** Its real servers in the order ipvsadm lists them. */
  readonly destIds: readonly number[];
}

export interface SnapshotInterface {
  readonly ifIndex: number;
  readonly mac: readonly number[];
  readonly mtu: number;
  /** Its first IPv4 address (0: none): the source of ICMP errors the director sends from it. */
  readonly address: number;
  /** Its usable IPv6 addresses: sources of neighbour solicitations and ICMPv6 errors. */
  readonly addrs6?: readonly SnapshotAddress6[];
}

export interface SnapshotAddress6 {
  /** Four words. */
  readonly addr: readonly number[];
  readonly prefixLen: number;
  readonly linkLocal: boolean;
}

export interface EngineSnapshot {
  readonly generation: number;
  readonly services: readonly SnapshotService[];
  /** Every real server connections may refer to, in service or not. */
  readonly dests: readonly SnapshotDest[];
  readonly interfaces: readonly SnapshotInterface[];
  /** Addresses configured on the director's own interfaces. */
  readonly localAddresses: readonly number[];
  /** The same for IPv6, four words each. */
  readonly localAddresses6: readonly (readonly number[])[];
  /** VIPs this director does not hold now (a VRRP backup): their traffic is not its to serve. */
  readonly disownedVips: readonly number[];
  /** The same for IPv6, four words each. */
  readonly disownedVips6: readonly (readonly number[])[];
  /** The firewall-mark tap's interface, -1 when there is none. */
  readonly markIfIndex: number;
  /** IPVS timeouts in seconds: TCP per state (TcpState order) and UDP. */
  readonly tcpTimeouts: readonly number[];
  readonly udpTimeout: number;
  /** The SYN-flood defences (drop_entry, drop_packet, secure_tcp, amemthresh, first SYN drop). */
  readonly defense: DefenseSettings;
}

/** What the control plane knows of the host, for the snapshot. */
export interface HostFacts {
  readonly interfaces: readonly SnapshotInterface[];
  readonly localAddresses: readonly number[];
  readonly localAddresses6?: readonly (readonly number[])[];
  /** VIPs a VRRP instance manages that this director does not hold now (it is backup). */
  readonly disownedVips?: readonly number[];
  /** The same for IPv6, four words each. */
  readonly disownedVips6?: readonly (readonly number[])[];
  readonly markIfIndex: number;
}
