// Where frames from an address last came from (interface and source MAC), for connections
// whose first frame reaches uvs without them: packets of firewall-mark services arrive
// through the mark tap, after the original frame was seen on its real interface. A small
// direct-mapped table in typed arrays: recording and lookup allocate nothing. It lives in the
// threads' shared memory: the wire frame and the tap's copy of one packet may reach two
// forwarding threads (each interface has its own fanout group). A slot written by two threads
// at once may mix two clients' fields, as a lost update would; the MAC is checked by its
// address word first, and the next frame of the client writes the slot whole again.
import type { Part, SharedRegion } from './shared/region.js';

const SLOTS = 4096;

export class SourceCache {
  // Signed 32-bit addresses, as the fast path holds them; interface 0: an empty slot.
  private readonly addr: Int32Array;
  private readonly ifIndex: Int32Array;
  private readonly mac: Uint8Array;

  static parts(): Part[] {
    return [
      { name: 'src4.addr', bytes: SLOTS * 4 },
      { name: 'src4.if', bytes: SLOTS * 4 },
      { name: 'src4.mac', bytes: SLOTS * 6 },
    ];
  }

  /** In `region` (shared by the threads), or in memory of its own (tests, replay). */
  constructor(region?: SharedRegion) {
    this.addr = region ? region.int32('src4.addr', SLOTS) : new Int32Array(SLOTS);
    this.ifIndex = region ? region.int32('src4.if', SLOTS) : new Int32Array(SLOTS);
    this.mac = region ? region.uint8('src4.mac', SLOTS * 6) : new Uint8Array(SLOTS * 6);
  }

  private slot(ip: number): number {
    return (Math.imul(ip, 0x9e3779b1) >>> 20) & (SLOTS - 1);
  }

  record(ip: number, ifIndex: number, buf: Buffer, macOff: number): void {
    const s = this.slot(ip);
    this.addr[s] = ip | 0;
    this.ifIndex[s] = ifIndex;
    for (let k = 0; k < 6; k++) this.mac[s * 6 + k] = buf[macOff + k]!;
  }

  /** The interface `ip` was last seen on (its MAC copied to dst at dstOff), or -1. */
  lookup(ip: number, dst: Buffer, dstOff: number): number {
    const s = this.slot(ip);
    if (this.ifIndex[s]! <= 0 || this.addr[s] !== (ip | 0)) return -1;
    for (let k = 0; k < 6; k++) dst[dstOff + k] = this.mac[s * 6 + k]!;
    return this.ifIndex[s]!;
  }
}
