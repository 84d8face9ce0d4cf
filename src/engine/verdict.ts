// What the engine decided for a frame, and the counters of why frames were dropped.

export const enum Verdict {
  /** Not a frame of a virtual service: the kernel deals with it (uvs does nothing). */
  NotOurs = 0,
  /** Rewritten in place: send `txLen` bytes on `txIfIndex`. */
  Forward = 1,
  /** An answer built in place (ARP reply, ICMP): send `txLen` bytes on `txIfIndex`. */
  Reply = 2,
  /** Ours, but not sent: the reason's counter was incremented. */
  Drop = 3,
}

/** Drop reasons, each with a counter; names are what metrics and logs show. */
export const enum DropReason {
  Truncated = 0,
  BadIpHeader = 1,
  Fragment = 2,
  NoConnection = 3,
  NoDest = 4,
  NoNeighbour = 5,
  TtlExpired = 6,
  TooBig = 7,
  OwnFrame = 8,
  UnsupportedMethod = 9,
}

export const DROP_REASON_NAMES = [
  'truncated',
  'bad_ip_header',
  'fragment',
  'no_connection',
  'no_dest',
  'no_neighbour',
  'ttl_expired',
  'too_big',
  'own_frame',
  'unsupported_method',
] as const;

export class EngineCounters {
  frames = 0;
  forwarded = 0;
  replied = 0;
  notOurs = 0;
  /** ICMP "fragmentation needed" sent back (TUN). */
  fragNeeded = 0;
  readonly drops = new Float64Array(DROP_REASON_NAMES.length);

  drop(reason: DropReason): void {
    this.drops[reason]!++;
  }

  /** Plain object for logs, the control socket and metrics. */
  toJSON(): Record<string, number> {
    const out: Record<string, number> = {
      frames: this.frames,
      forwarded: this.forwarded,
      replied: this.replied,
      not_ours: this.notOurs,
      frag_needed: this.fragNeeded,
    };
    DROP_REASON_NAMES.forEach((name, i) => (out[`drop.${name}`] = this.drops[i]!));
    return out;
  }
}
