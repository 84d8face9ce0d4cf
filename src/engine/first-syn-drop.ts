// A SYN-flood defence IPVS does not need, for what a userspace director has and the kernel has
// not: a receive ring. When a flood outruns the forwarding thread, the ring fills and the kernel
// drops whatever arrives next, a real client's ACKs and requests as much as the flood's SYNs;
// a connection whose packets after the SYN are all lost is then dropped as half-open. Forwarding a
// SYN costs far more than refusing it (the send, and the real server's answer coming back), so
// the thread stays ahead of its ring by refusing first SYNs while the ring backs up:
//  - mode 1 (the default): a period (PERIOD_MS) is pressed when a ring was found more than half
//    full and new connections' SYNs were at least a quarter of the frames (a flood of them, not a
//    bulk transfer filling the ring). From the second pressed period in a row (a burst of clients
//    is not a flood), the share of first SYNs refused goes half way to all; a period not pressed
//    lowers it by RELEASE_STEP;
//  - mode 2: every first SYN is refused (tests; a director under constant attack);
//  - a SYN seen refused in the last RETRY_WINDOW_MS (same addresses and ports) is let through:
//    a real client's TCP sends its SYN again after a second, a spoofed flood does not. This is the
//    "first SYN drop" of the anti-DDoS appliances; an attacker that repeats its SYNs passes, and
//    meets drop_entry and drop_packet as without it.
// Refused SYNs are remembered in a table indexed by a seeded hash of their addresses and ports,
// allocated the first time the defence acts; a later refusal may take an earlier one's slot (the
// client then pays one more retry). The io loop reports the pressure: the AF_PACKET workers do;
// --io pcap has no ring to watch, and there only mode 2 acts.
import { mix } from './conn-table.js';

/** How the ring pressure is looked at and the refused share adjusted. */
const PERIOD_MS = 100;
/** A period not pressed lowers the refused share by this much (all to none in 1.6 s). */
const RELEASE_STEP = 1 / 16;
/** Pressed periods in a row before the share is raised. */
const PRESSED_TO_RAISE = 2;
/** SYNs of new connections must be this share of a period's frames for a backlog to count. */
const SYN_SHARE = 1 / 4;
/** A retransmitted SYN is recognised this long after the refused one (TCP retries at 1, 3, 7 s). */
const RETRY_WINDOW_MS = 30_000;
/** Slots of the refused-SYN table: 2 words each (16 MiB), a few seconds of a 200k SYN/s flood. */
export const FIRST_SYN_SLOTS = 1 << 21;

export const enum FirstSynMode {
  Off = 0,
  Auto = 1,
  Always = 2,
}

/** What the gate decided for a SYN. */
export const enum SynGate {
  /** Not looked at (the defence is idle) or let through at random. */
  Pass = 0,
  /** A first SYN, refused and remembered. */
  Refuse = 1,
  /** The retransmission of a refused SYN: let through. */
  Retry = 2,
}

export class FirstSynDrop {
  /** The share of first SYNs refused now (mode 1), 0 to 1. */
  private share = 0;
  private backlogSeen = false;
  private pressedInARow = 0;
  private periodEnd = 0;
  /** In the current period: frames read, and new connections' SYNs among them. */
  private frames = 0;
  private syns = 0;
  private random: number;
  private readonly seed: number;
  /** Per slot: the tag of the refused SYN's tuple (0: none) and when (ms, modulo 2^32). */
  private refused: Uint32Array | undefined;

  constructor(private readonly slots = FIRST_SYN_SLOTS) {
    if (slots <= 0 || (slots & (slots - 1)) !== 0)
      throw new RangeError('FirstSynDrop: slots must be a power of two');
    this.seed = (Math.random() * 0x100000000) >>> 0;
    this.random = this.seed | 1;
  }

  /** The share of first SYNs refused now (for counters and tests). */
  get refusedShare(): number {
    return this.share;
  }

  /** The engine, for every new connection's SYN (before active() is asked). */
  noteSyn(): void {
    this.syns++;
  }

  /**
   * The io loop, once per pass over its rings: `frames` read, `backlogged` when a ring was more
   * than half full. Adjusts the refused share once per period.
   */
  notePressure(backlogged: boolean, frames: number, now: number): void {
    if (backlogged) this.backlogSeen = true;
    this.frames += frames;
    if (now < this.periodEnd) return;
    this.periodEnd = now + PERIOD_MS;
    const pressed = this.backlogSeen && this.syns >= this.frames * SYN_SHARE;
    this.pressedInARow = pressed ? this.pressedInARow + 1 : 0;
    if (this.pressedInARow >= PRESSED_TO_RAISE) this.share += (1 - this.share) / 2;
    else if (!pressed) this.share = Math.max(0, this.share - RELEASE_STEP);
    this.backlogSeen = false;
    this.frames = 0;
    this.syns = 0;
  }

  /** Whether a SYN would be looked at now: false costs the caller nothing more. */
  active(mode: number): boolean {
    return mode === FirstSynMode.Always || (mode === FirstSynMode.Auto && this.share > 0);
  }

  /**
   * A new connection's SYN, from its tuple folded in three words (addresses, then both ports):
   * refused, let through as the retry of a refused one, or let through. Call when active().
   */
  check(mode: number, a: number, b: number, ports: number, now: number): SynGate {
    const refused = (this.refused ??= new Uint32Array(this.slots * 2));
    const h = mix(mix(mix(a ^ this.seed) ^ b) ^ ports) >>> 0;
    const slot = (h & (this.slots - 1)) * 2;
    // The tag is the hash's other half, never 0 (0 marks a free slot).
    const tag = (mix(h ^ this.seed) | 1) >>> 0;
    const t = now >>> 0;
    if (refused[slot] === tag && (t - refused[slot + 1]!) >>> 0 < RETRY_WINDOW_MS) {
      refused[slot] = 0;
      return SynGate.Retry;
    }
    if (mode !== FirstSynMode.Always && this.nextRandom() >= this.share) return SynGate.Pass;
    refused[slot] = tag;
    refused[slot + 1] = t;
    return SynGate.Refuse;
  }

  /** xorshift32, as a number in [0, 1). */
  private nextRandom(): number {
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    return (x >>> 0) / 0x100000000;
  }
}
