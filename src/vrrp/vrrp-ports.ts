// What the VRRP runtime needs of the director and the host, as narrow interfaces: the io
// backend carries VRRP frames (VrrpLink), the host says what its interfaces are and holds
// the VIPs (VrrpHost), and the forwarding engine follows who owns each VIP (VipOwnership).
import type { VrrpAddr } from './vrrp-addr.js';
import type { VirtualAddress } from './vrrp-spec.js';

/** Frames of IP protocol 112 (IPv4) and next header 112 (IPv6) in and out, whole Ethernet frames. */
export interface VrrpLink {
  /** Sends `len` bytes of `frame` on interface `ifIndex`; false when it could not. */
  send(ifIndex: number, frame: Buffer, len: number): boolean;
  /**
   * Registers the receiver of every VRRP frame (IPv4 or IPv6) seen on the served interfaces.
   * `frame` belongs to the caller and is reused after the handler returns.
   */
  onFrame(handler: (frame: Buffer, len: number, ifIndex: number) => void): void;
}

export interface VrrpInterface {
  readonly name: string;
  readonly ifIndex: number;
  readonly mac: Buffer;
  /** Its first IPv4 address (the IPv4 adverts' source), if any. */
  readonly addr: number | undefined;
  /** Its IPv6 link-local address (the IPv6 adverts' source, RFC 5798 §5.1.2.1), if any. */
  readonly linkLocal6?: bigint;
  /** It forwards IPv6 (its `forwarding` sysctl): its neighbour advertisements carry the R flag. */
  readonly router6?: boolean;
  /** Administratively up with a carrier (a pulled cable: false). */
  readonly running: boolean;
}

export interface VrrpHost {
  interfaceNamed(name: string): VrrpInterface | undefined;
  /** A unicast peer's MAC (ARP or ND); undefined (and a resolution started) when not known yet. */
  peerMac(ip: VrrpAddr, ifIndex: number): Buffer | undefined;
  /**
   * Adds a VIP to the kernel interface `dev`, as keepalived does (`ip addr add`; IPv6 with
   * `nodad`: the address is the virtual router's, duplicate address detection would hold it).
   */
  addVip(vip: VirtualAddress, dev: string): void;
  /** Removes it; `now` waits for it (shutdown, exit handlers). Absent VIPs are no error. */
  removeVip(vip: VirtualAddress, dev: string, now: boolean): void;
  /** Interfaces changed (links, carriers, addresses): the runtime re-reads them. */
  onChange(listener: () => void): void;
  /** Runs a notify script line in the background. */
  runScript(line: string): void;
}

/**
 * Which VIPs this director serves: a VRRP backup must neither answer ARP or ND for its VIPs
 * nor forward their traffic. The engine follows this, IPv4 and IPv6.
 */
export interface VipOwnership {
  setVipOwnership(vips: readonly VrrpAddr[], owned: boolean): void;
  ownsVip(addr: VrrpAddr): boolean;
}
