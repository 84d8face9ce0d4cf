// TPACKET_V3: blocks of packed frames; a block is given back once all its frames were read.
import { FRAME_HEADROOM } from '../../packet/frame-layout.js';
import { VNET_HDR_LEN } from '../../packet/virtio-net-hdr.js';
import type { RingGeometry } from './ring-config.js';
import { newRxCounters, type RingReader, type RxBatch, type RxCounters } from './rx-batch.js';
import { SockAddrLl, Tp3, TpBlock, TpStatus, TPACKET3_HDRLEN } from './tpacket.js';

export class RingV3Reader implements RingReader {
  readonly counters: RxCounters = newRxCounters();
  private readonly u32: Uint32Array;
  private readonly u16: Uint16Array;
  private readonly blockSize: number;
  private readonly blockCount: number;
  private first = 0;
  /** Blocks taken and not given back, the one being read included. */
  private held = 0;
  /** In the block being read: frames left and the next one's offset. */
  private left = 0;
  private next = 0;
  private blockEnd = 0;
  backlogged = false;

  constructor(
    readonly ring: Buffer,
    geometry: RingGeometry,
    private readonly sourceId = 0,
  ) {
    const { blockSize, blockCount } = geometry;
    if (geometry.version !== 3 || blockSize * blockCount > ring.length || ring.byteOffset % 4 !== 0)
      throw new RangeError('RingV3Reader: the ring does not match its V3 geometry');
    this.u32 = new Uint32Array(ring.buffer, ring.byteOffset, ring.length >>> 2);
    this.u16 = new Uint16Array(ring.buffer, ring.byteOffset, ring.length >>> 1);
    this.blockSize = blockSize;
    this.blockCount = blockCount;
  }

  get cursor(): number {
    const block = this.left > 0 ? this.first + this.held - 1 : this.first + this.held;
    return (block % this.blockCount) * this.blockSize + TpBlock.Status;
  }

  read(batch: RxBatch): number {
    let added = 0;
    while (batch.count < batch.capacity) {
      if (this.left === 0 && !this.openNextBlock()) break;
      if (this.left === 0) continue;
      if (this.take(batch)) added++;
    }
    this.backlogged = this.halfFull();
    return added;
  }

  /** Whether more than half the blocks are filled (the kernel fills them in ring order). */
  private halfFull(): boolean {
    const half = this.blockCount >> 1;
    if (this.held > half) return true;
    const base = ((this.first + half) % this.blockCount) * this.blockSize;
    return (Atomics.load(this.u32, (base + TpBlock.Status) >>> 2) & TpStatus.User) !== 0;
  }

  private openNextBlock(): boolean {
    if (this.held === this.blockCount) return false;
    const base = ((this.first + this.held) % this.blockCount) * this.blockSize;
    // Atomics.load: no read of the block may be hoisted above the status check.
    const status = Atomics.load(this.u32, (base + TpBlock.Status) >>> 2);
    if ((status & TpStatus.User) === 0) return false;
    this.held++;
    this.counters.blocks++;
    this.left = this.u32[(base + TpBlock.NumPkts) >>> 2]!;
    this.next = base + this.u32[(base + TpBlock.OffsetToFirstPkt) >>> 2]!;
    this.blockEnd = base + this.blockSize;
    return true;
  }

  /** Takes the frame at `next`; false when it was not delivered (truncated, malformed). */
  private take(batch: RxBatch): boolean {
    const { u32, u16, counters } = this;
    const p = this.next;
    this.left--;
    if (p % 4 !== 0 || p + TPACKET3_HDRLEN > this.blockEnd) {
      counters.malformed += this.left + 1;
      this.left = 0;
      return false;
    }
    this.next = p + u32[(p + Tp3.NextOffset) >>> 2]!;
    const status = u32[(p + Tp3.Status) >>> 2]!;
    const len = u32[(p + Tp3.Len) >>> 2]!;
    const snap = u32[(p + Tp3.SnapLen) >>> 2]!;
    const mac = u16[(p + Tp3.Mac) >>> 1]!;
    counters.frames++;
    counters.bytes += len;
    if (status & TpStatus.Losing) counters.losing++;
    if (snap < len) {
      counters.truncated++;
      return false;
    }
    if (mac < TPACKET3_HDRLEN + FRAME_HEADROOM + VNET_HDR_LEN || p + mac + snap > this.blockEnd) {
      counters.malformed++;
      return false;
    }
    const i = batch.count++;
    batch.frame[i] = p + mac;
    batch.length[i] = snap;
    batch.status[i] = status;
    batch.pktType[i] = this.ring[p + Tp3.Addr + SockAddrLl.PktType]!;
    batch.source[i] = this.sourceId;
    return true;
  }

  release(): void {
    // The block being read stays ours until its last frame was read.
    const keep = this.left > 0 ? 1 : 0;
    for (; this.held > keep; this.held--) {
      // Atomics.store: every read (and the send) of the block happens before the kernel owns it.
      Atomics.store(
        this.u32,
        (this.first * this.blockSize + TpBlock.Status) >>> 2,
        TpStatus.Kernel,
      );
      this.first = (this.first + 1) % this.blockCount;
    }
  }
}
