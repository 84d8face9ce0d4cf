// Where frames from an address last came from (interface and source MAC), for connections
// whose first frame reaches uvs without them: packets of firewall-mark services arrive
// through the mark tap, after the original frame was seen on its real interface. A small
// direct-mapped table in typed arrays: recording and lookup allocate nothing.

const SLOTS = 4096;

export class SourceCache {
  // Signed 32-bit addresses, as the fast path holds them.
  private readonly addr = new Int32Array(SLOTS);
  private readonly ifIndex = new Int32Array(SLOTS).fill(-1);
  private readonly mac = new Uint8Array(SLOTS * 6);

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
    if (this.ifIndex[s]! < 0 || this.addr[s] !== (ip | 0)) return -1;
    for (let k = 0; k < 6; k++) dst[dstOff + k] = this.mac[s * 6 + k]!;
    return this.ifIndex[s]!;
  }
}
