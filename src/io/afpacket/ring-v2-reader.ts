// TPACKET_V2: one frame per fixed slot, slots taken and given back in ring order.
import { FRAME_HEADROOM } from '../../packet/frame-layout.js';
import { VNET_HDR_LEN } from '../../packet/virtio-net-hdr.js';
import type { RingGeometry } from './ring-config.js';
import { newRxCounters, type RingReader, type RxBatch, type RxCounters } from './rx-batch.js';
import { SockAddrLl, Tp2, TpStatus, TPACKET2_HDRLEN } from './tpacket.js';

export class RingV2Reader implements RingReader {
  readonly counters: RxCounters = newRxCounters();
  private readonly u32: Uint32Array;
  private readonly u16: Uint16Array;
  /** Byte offset of each slot: slots never span blocks, so this is not i * slotSize. */
  private readonly slots: Uint32Array;
  private readonly slotSize: number;
  private first = 0;
  private held = 0;
  backlogged = false;

  constructor(
    readonly ring: Buffer,
    geometry: RingGeometry,
    private readonly sourceId = 0,
  ) {
    const { blockSize, blockCount, slotSize, slotsPerBlock } = geometry;
    if (slotsPerBlock === 0 || blockSize * blockCount > ring.length || ring.byteOffset % 4 !== 0)
      throw new RangeError('RingV2Reader: the ring does not match its V2 geometry');
    this.u32 = new Uint32Array(ring.buffer, ring.byteOffset, ring.length >>> 2);
    this.u16 = new Uint16Array(ring.buffer, ring.byteOffset, ring.length >>> 1);
    this.slotSize = slotSize;
    this.slots = new Uint32Array(slotsPerBlock * blockCount);
    for (let i = 0; i < this.slots.length; i++)
      this.slots[i] = Math.floor(i / slotsPerBlock) * blockSize + (i % slotsPerBlock) * slotSize;
  }

  get cursor(): number {
    return this.slots[(this.first + this.held) % this.slots.length]!;
  }

  read(batch: RxBatch): number {
    const { u32, u16, slots, counters } = this;
    const n = slots.length;
    let added = 0;
    while (batch.count < batch.capacity && this.held < n) {
      const base = slots[(this.first + this.held) % n]!;
      // Atomics.load: no read of the slot may be hoisted above the status check.
      const status = Atomics.load(u32, base >>> 2);
      if ((status & TpStatus.User) === 0) break;
      this.held++;
      counters.frames++;
      if (status & TpStatus.Losing) counters.losing++;
      const len = u32[(base + Tp2.Len) >>> 2]!;
      const snap = u32[(base + Tp2.SnapLen) >>> 2]!;
      const mac = u16[(base + Tp2.Mac) >>> 1]!;
      counters.bytes += len;
      if (snap < len) {
        counters.truncated++;
        continue;
      }
      if (mac < TPACKET2_HDRLEN + FRAME_HEADROOM + VNET_HDR_LEN || mac + snap > this.slotSize) {
        counters.malformed++;
        continue;
      }
      const i = batch.count++;
      batch.frame[i] = base + mac;
      batch.length[i] = snap;
      batch.status[i] = status;
      batch.pktType[i] = this.ring[base + Tp2.Addr + SockAddrLl.PktType]!;
      batch.source[i] = this.sourceId;
      added++;
    }
    this.backlogged = this.halfFull();
    return added;
  }

  /** Whether more than half the slots are filled (the kernel fills them in ring order). */
  private halfFull(): boolean {
    const n = this.slots.length;
    const half = n >> 1;
    if (this.held > half) return true;
    const base = this.slots[(this.first + half) % n]!;
    return (Atomics.load(this.u32, base >>> 2) & TpStatus.User) !== 0;
  }

  release(): void {
    const { u32, slots } = this;
    const n = slots.length;
    // Atomics.store: every read (and the send) of the slot happens before the kernel owns it.
    for (; this.held > 0; this.held--) {
      Atomics.store(u32, slots[this.first]! >>> 2, TpStatus.Kernel);
      this.first = (this.first + 1) % n;
    }
  }
}
