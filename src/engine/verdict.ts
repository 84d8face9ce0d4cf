// What the engine decided for a frame, and why frames were dropped.

export const enum Verdict {
  /** Not a frame of a virtual service: the kernel deals with it (uvs does nothing). */
  NotOurs = 0,
  /** Rewritten and handed to the sink (in place, or as frames built in the arena). */
  Forward = 1,
  /** An answer handed to the sink (ARP reply, ICMP error). */
  Reply = 2,
  /** Ours, but not sent: the reason's counter was incremented. */
  Drop = 3,
}

/** Drop reasons, each with a counter; each means one thing. Names are what metrics show. */
export const enum DropReason {
  Truncated = 0,
  BadIpHeader = 1,
  Fragment = 2,
  /** A TCP segment other than SYN for which there is no connection. */
  NoConnection = 3,
  /** No real server available (and the ICMP answer was rate-limited or could not be built). */
  NoDest = 4,
  /** The real server has no route (yet). */
  NoRoute = 5,
  /** The next hop's MAC is not resolved yet (a request was sent). */
  NoNeighbour = 6,
  /** The outgoing interface is not one uvs serves (its MAC is unknown). */
  NoInterface = 7,
  TtlExpired = 8,
  /** Too big for the path and not DF (uvs does not fragment), or DF and rate-limited. */
  TooBig = 9,
  OwnFrame = 10,
  UnsupportedMethod = 11,
  /** The connection table is full. */
  TableFull = 12,
  /** No room left to build a frame in this batch. */
  NoRoom = 13,
  /** A GSO super-frame of a kind uvs cannot cut (or inconsistent GSO fields). */
  BadGso = 14,
  /** A new connection refused by drop_packet (the table is short of free slots). */
  Defense = 15,
  /** A new connection's first SYN refused while the receive ring backs up (first-syn-drop.ts). */
  FirstSyn = 16,
}

export const DROP_REASON_NAMES = [
  'truncated',
  'bad_ip_header',
  'fragment',
  'no_connection',
  'no_dest',
  'no_route',
  'no_neighbour',
  'no_interface',
  'ttl_expired',
  'too_big',
  'own_frame',
  'unsupported_method',
  'table_full',
  'no_room',
  'bad_gso',
  'defense',
  'first_syn',
] as const;
