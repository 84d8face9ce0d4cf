// Where frames from an IPv6 address last came from (interface and source MAC), as
// source-cache.ts for IPv4: the packets of IPv6 firewall-mark services reach uvs through the
// mark tap, which loses their Ethernet header, after the original frame was seen on its real
// interface. A direct-mapped table in typed arrays, the whole address compared: recording and
// lookup allocate nothing. In the threads' shared memory, as the IPv4 one.
import { key6 } from './live-config6.js';
import type { Part, SharedRegion } from './shared/region.js';

const SLOTS = 4096;

export class SourceCache6 {
  private readonly addr: Uint32Array;
  /** Interface 0: an empty slot. */
  private readonly ifIndex: Int32Array;
  private readonly mac: Uint8Array;

  static parts(): Part[] {
    return [
      { name: 'src6.addr', bytes: SLOTS * 16 },
      { name: 'src6.if', bytes: SLOTS * 4 },
      { name: 'src6.mac', bytes: SLOTS * 6 },
    ];
  }

  /** In `region` (shared by the threads), or in memory of its own. */
  constructor(region?: SharedRegion) {
    this.addr = region ? region.uint32('src6.addr', SLOTS * 4) : new Uint32Array(SLOTS * 4);
    this.ifIndex = region ? region.int32('src6.if', SLOTS) : new Int32Array(SLOTS);
    this.mac = region ? region.uint8('src6.mac', SLOTS * 6) : new Uint8Array(SLOTS * 6);
  }

  private slot(a: Uint32Array, o: number): number {
    return (key6(a, o, 0) >>> 20) & (SLOTS - 1);
  }

  /** Records that the address at `a[o]` (four words) was seen on `ifIndex` from the MAC at `buf[macOff]`. */
  record(a: Uint32Array, o: number, ifIndex: number, buf: Buffer, macOff: number): void {
    const s = this.slot(a, o);
    for (let k = 0; k < 4; k++) this.addr[s * 4 + k] = a[o + k]!;
    this.ifIndex[s] = ifIndex;
    for (let k = 0; k < 6; k++) this.mac[s * 6 + k] = buf[macOff + k]!;
  }

  /** The interface the address at `a[o]` was last seen on (its MAC copied to dst at dstOff), or -1. */
  lookup(a: Uint32Array, o: number, dst: Buffer, dstOff: number): number {
    const s = this.slot(a, o);
    if (this.ifIndex[s]! <= 0) return -1;
    for (let k = 0; k < 4; k++) if (this.addr[s * 4 + k] !== a[o + k]) return -1;
    for (let k = 0; k < 6; k++) dst[dstOff + k] = this.mac[s * 6 + k]!;
    return this.ifIndex[s]!;
  }
}
