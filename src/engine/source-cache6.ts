// Where frames from an IPv6 address last came from (interface and source MAC), as
// source-cache.ts for IPv4: the packets of IPv6 firewall-mark services reach uvs through the
// mark tap, which loses their Ethernet header, after the original frame was seen on its real
// interface. The whole address is compared; in the threads' shared memory, as the IPv4 one.
import { key6 } from './live-config6.js';
import type { Part, SharedRegion } from './shared/region.js';
import { SOURCE_SLOTS, SourceSlots } from './source-cache.js';

export class SourceCache6 extends SourceSlots {
  /** Four words per slot. */
  private readonly addr: Uint32Array;

  static parts(): Part[] {
    return SourceSlots.slotParts('src6', 16);
  }

  constructor(region?: SharedRegion) {
    super('src6', region);
    this.addr = region
      ? region.uint32('src6.addr', SOURCE_SLOTS * 4)
      : new Uint32Array(SOURCE_SLOTS * 4);
  }

  private slot(a: Uint32Array, o: number): number {
    return (key6(a, o, 0) >>> 20) & (SOURCE_SLOTS - 1);
  }

  /** Records that the address at `a[o]` (four words) was seen on `ifIndex` from the MAC at `buf[macOff]`. */
  record(a: Uint32Array, o: number, ifIndex: number, buf: Buffer, macOff: number): void {
    const s = this.slot(a, o);
    for (let k = 0; k < 4; k++) this.addr[s * 4 + k] = a[o + k]!;
    this.fill(s, ifIndex, buf, macOff);
  }

  /** The interface the address at `a[o]` was last seen on (its MAC copied to dst at dstOff), or -1. */
  lookup(a: Uint32Array, o: number, dst: Buffer, dstOff: number): number {
    const s = this.slot(a, o);
    if (this.isEmpty(s)) return -1;
    for (let k = 0; k < 4; k++) if (this.addr[s * 4 + k] !== a[o + k]) return -1;
    return this.answer(s, dst, dstOff);
  }
}
