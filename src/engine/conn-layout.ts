// The layout of one connection entry: 32-bit words in shared memory, one entry after another,
// the words a lookup reads first (chains, ports, protocol, flags, addresses) in the entry's
// first 32 bytes so that a lookup touches one cache line. IPv4 entries are CONN_STRIDE_V4 words;
// IPv6 entries keep the same fields at the same offsets (the address words then hold a fold of
// the IPv6 addresses, to reject mismatches early) and the full addresses in a tail.

export const enum Cf {
  InNext = 0,
  OutNext = 1,
  /** Client port << 16 | virtual port. */
  Ports = 2,
  /** Real server port << 16 | protocol << 8 | TCP state. */
  DportProtoState = 3,
  /** ConnFlag bits. */
  Flags = 4,
  Caddr = 5,
  Vaddr = 6,
  Daddr = 7,
  /** Absolute expiry time in ms (Float64, words 8-9). */
  Expires = 8,
  /** Timeout `Expires` was last set from, in ms (what ipvsadm -Lc counts down from). */
  TimeoutMs = 10,
  SvcId = 11,
  DestId = 12,
  /** The persistence template controlling this connection, or -1 (IPVS's cp->control). */
  ControlOf = 13,
  /** For a template: how many connections it controls (IPVS's n_control). */
  NControl = 14,
  /** Interface the client's frames arrive on. */
  ClientIf = 15,
  /** The client's next-hop MAC: bytes 0-3, then 4-5 in the high half of MacLo. */
  MacHi = 16,
  MacLo = 17,
  /** Expiry wheel links, or free-list link for a free entry. */
  WheelNext = 18,
  WheelPrev = 19,
  /** Start of the wheel slot the entry is linked in (Float64, words 20-21); -1 while expiring. */
  WheelAt = 20,
  /** Firewall mark of the service (sync messages carry it). */
  Fwmark = 22,
  /** Packets since the last sync message about this connection. */
  SyncPkts = 23,
  /** Lock of the TCP state and the active/inactive accounting (IPVS's cp->lock). */
  Lock = 24,
}

export const CONN_STRIDE_V4 = 26;

/**
 * IPv6 entries: Caddr, Vaddr and Daddr hold a seeded fold of each address (conn-table6.ts), and
 * the full addresses follow the IPv4 fields, four words each (word 0 the most significant).
 */
export const enum Cf6 {
  Caddr = 26,
  Vaddr = 30,
  Daddr = 34,
}

export const CONN_STRIDE_V6 = 38;

/** What tells two connection tables apart in one region: their parts' names and entry size. */
export interface ConnTableShape {
  readonly name: string;
  readonly stride: number;
}

export const CONN_V4: ConnTableShape = { name: 'conn', stride: CONN_STRIDE_V4 };
export const CONN_V6: ConnTableShape = { name: 'conn6', stride: CONN_STRIDE_V6 };

export const enum ConnFlag {
  /** Low 3 bits: forwarding method (FwdMethod). */
  MethodMask = 0x07,
  /** A persistence template (client → real server binding), not a connection. */
  Template = 0x08,
  /** Counted in the dest's inactive connections (IP_VS_CONN_F_INACTIVE). */
  Inactive = 0x10,
  /** Of a firewall-mark service: its packets come through the mark tap only. */
  Marked = 0x20,
  /** Learnt from a sync message (IP_VS_CONN_F_SYNC), not scheduled here. */
  Synced = 0x40,
  /** A template whose real server left: no longer found, kept while it controls connections. */
  Invalid = 0x80,
  /** The entry is in use. */
  Used = 0x100,
  /** A packet of the real server's went back through the director (a NAT reply). */
  Answered = 0x200,
}
