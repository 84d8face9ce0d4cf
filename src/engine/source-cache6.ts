// Where frames from an IPv6 address last came from (interface and source MAC), as
// source-cache.ts for IPv4: the packets of IPv6 firewall-mark services reach uvs through the
// mark tap, which loses their Ethernet header, after the original frame was seen on its real
// interface. A direct-mapped table in typed arrays, the whole address compared: recording and
// lookup allocate nothing.
import { key6 } from './live-config6.js';

const SLOTS = 4096;

export class SourceCache6 {
  private readonly addr = new Uint32Array(SLOTS * 4);
  private readonly ifIndex = new Int32Array(SLOTS).fill(-1);
  private readonly mac = new Uint8Array(SLOTS * 6);

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
    if (this.ifIndex[s]! < 0) return -1;
    for (let k = 0; k < 4; k++) if (this.addr[s * 4 + k] !== a[o + k]) return -1;
    for (let k = 0; k < 6; k++) dst[dstOff + k] = this.mac[s * 6 + k]!;
    return this.ifIndex[s]!;
  }
}
