// Where frames from an address last came from (interface and source MAC), for connections
// whose first frame reaches uvs without them: packets of firewall-mark services arrive
// through the mark tap, after the original frame was seen on its real interface. A small
// direct-mapped table in typed arrays: recording and lookup allocate nothing. It lives in the
// threads' shared memory: the wire frame and the tap's copy of one packet may reach two
// forwarding threads (each interface has its own fanout group). A slot written by two threads
// at once may mix two clients' fields, as a lost update would; the MAC is checked by its
// address word first, and the next frame of the client writes the slot whole again.
// SourceSlots holds what every family records (interface, MAC); SourceCache keys it by IPv4
// address, SourceCache6 (source-cache6.ts) by IPv6 address.
import type { Part, SharedRegion } from './shared/region.js';

export const SOURCE_SLOTS = 4096;

export abstract class SourceSlots {
  /** Interface 0: an empty slot. */
  private readonly ifIndex: Int32Array;
  private readonly mac: Uint8Array;

  /** The parts of a cache named `prefix` whose addresses take `addrBytes` each. */
  static slotParts(prefix: string, addrBytes: number): Part[] {
    return [
      { name: `${prefix}.addr`, bytes: SOURCE_SLOTS * addrBytes },
      { name: `${prefix}.if`, bytes: SOURCE_SLOTS * 4 },
      { name: `${prefix}.mac`, bytes: SOURCE_SLOTS * 6 },
    ];
  }

  /** In `region` (shared by the threads), or in memory of its own (tests, replay). */
  protected constructor(prefix: string, region?: SharedRegion) {
    this.ifIndex = region
      ? region.int32(`${prefix}.if`, SOURCE_SLOTS)
      : new Int32Array(SOURCE_SLOTS);
    this.mac = region
      ? region.uint8(`${prefix}.mac`, SOURCE_SLOTS * 6)
      : new Uint8Array(SOURCE_SLOTS * 6);
  }

  /** Slot `s` was seen on `ifIndex` from the MAC at `buf[macOff]`. */
  protected fill(s: number, ifIndex: number, buf: Buffer, macOff: number): void {
    this.ifIndex[s] = ifIndex;
    for (let k = 0; k < 6; k++) this.mac[s * 6 + k] = buf[macOff + k]!;
  }

  protected isEmpty(s: number): boolean {
    return this.ifIndex[s]! <= 0;
  }

  /** Slot `s`'s interface, its MAC copied to dst at dstOff. */
  protected answer(s: number, dst: Buffer, dstOff: number): number {
    for (let k = 0; k < 6; k++) dst[dstOff + k] = this.mac[s * 6 + k]!;
    return this.ifIndex[s]!;
  }
}

export class SourceCache extends SourceSlots {
  // Signed 32-bit addresses, as the fast path holds them.
  private readonly addr: Int32Array;

  static parts(): Part[] {
    return SourceSlots.slotParts('src4', 4);
  }

  constructor(region?: SharedRegion) {
    super('src4', region);
    this.addr = region ? region.int32('src4.addr', SOURCE_SLOTS) : new Int32Array(SOURCE_SLOTS);
  }

  private slot(ip: number): number {
    return (Math.imul(ip, 0x9e3779b1) >>> 20) & (SOURCE_SLOTS - 1);
  }

  record(ip: number, ifIndex: number, buf: Buffer, macOff: number): void {
    const s = this.slot(ip);
    this.addr[s] = ip | 0;
    this.fill(s, ifIndex, buf, macOff);
  }

  /** The interface `ip` was last seen on (its MAC copied to dst at dstOff), or -1. */
  lookup(ip: number, dst: Buffer, dstOff: number): number {
    const s = this.slot(ip);
    if (this.isEmpty(s) || this.addr[s] !== (ip | 0)) return -1;
    return this.answer(s, dst, dstOff);
  }
}
