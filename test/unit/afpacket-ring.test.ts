// The ring readers over ring contents recorded from the kernel (fixtures/afpacket-ring-records.ts):
// frames found where the kernel put them, with their lengths, status and packet type; slots and
// blocks given back only on release(); truncated and malformed frames counted, never delivered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RingV2Reader } from '../../src/io/afpacket/ring-v2-reader.js';
import { RingV3Reader } from '../../src/io/afpacket/ring-v3-reader.js';
import { RxBatch } from '../../src/io/afpacket/rx-batch.js';
import type { RingGeometry } from '../../src/io/afpacket/ring-config.js';
import { PktType, Tp2, Tp3, TpBlock, TpStatus } from '../../src/io/afpacket/tpacket.js';
import { VnetFlag, VnetHdr, vnetU16 } from '../../src/packet/virtio-net-hdr.js';
import { RECORDED_V2, RECORDED_V3 } from './fixtures/afpacket-ring-records.js';

/** Lengths of the recorded frames, as the kernel reported them (tp_len). */
const V2_LENGTHS = RECORDED_V2.slots.map((s) => Buffer.from(s, 'base64').readUInt32LE(Tp2.Len));
const V3_LENGTHS = [42, 98, 98, 138, 52, 86, 90];
const V3_PKTTYPES = [
  PktType.Broadcast,
  PktType.Host,
  PktType.Host,
  PktType.Host,
  PktType.Host,
  PktType.Multicast,
  PktType.Multicast,
];

const V2_GEOMETRY: RingGeometry = { version: 2, ...RECORDED_V2 };
const V3_GEOMETRY: RingGeometry = { version: 3, ...RECORDED_V3, slotSize: 0, slotsPerBlock: 0 };

function v2SlotOffset(i: number): number {
  const n = RECORDED_V2.slotsPerBlock * RECORDED_V2.blockCount;
  const s = i % n;
  const { blockSize, slotsPerBlock, slotSize } = RECORDED_V2;
  return Math.floor(s / slotsPerBlock) * blockSize + (s % slotsPerBlock) * slotSize;
}

/** A V2 ring whose slots from `first` on hold the recorded frames, in order. */
function v2Ring(first = 0, slots = RECORDED_V2.slots): Buffer {
  const ring = Buffer.from(new ArrayBuffer(RECORDED_V2.blockSize * RECORDED_V2.blockCount));
  slots.forEach((s, i) => Buffer.from(s, 'base64').copy(ring, v2SlotOffset(first + i)));
  return ring;
}

function v3Ring(blocks: number[]): Buffer {
  const ring = Buffer.from(new ArrayBuffer(RECORDED_V3.blockSize * RECORDED_V3.blockCount));
  for (const b of blocks)
    Buffer.from(RECORDED_V3.block, 'base64').copy(ring, b * RECORDED_V3.blockSize);
  return ring;
}

test('V2: every recorded slot is read in place, with its length, status and packet type', () => {
  const ring = v2Ring();
  const reader = new RingV2Reader(ring, V2_GEOMETRY, 3);
  const batch = new RxBatch(64);
  assert.equal(reader.cursor, 0);
  assert.equal(reader.read(batch), RECORDED_V2.slots.length);
  assert.deepEqual([...batch.length.subarray(0, batch.count)], V2_LENGTHS);
  for (let i = 0; i < batch.count; i++) {
    const slot = v2SlotOffset(i);
    assert.equal(batch.frame[i], slot + ring.readUInt16LE(slot + Tp2.Mac));
    assert.equal(batch.status[i], ring.readUInt32LE(slot + Tp2.Status));
    assert.equal(batch.source[i], 3);
    // The frame layout: ≥ 64 bytes of headroom between the slot's headers and the vnet header.
    assert.ok(batch.frame[i]! - 10 - 64 >= slot + 52, `slot ${i} headroom`);
  }
  const f = batch.frame;
  assert.equal(batch.pktType[0], PktType.Broadcast);
  assert.equal(ring.readUInt16BE(f[0]! + 12), 0x0806, 'the first frame is the ARP request');
  assert.equal(ring[f[3]! + 14]! & 0x0f, 15, 'ping -R: an IPv4 header with 40 bytes of options');
  assert.equal(reader.cursor, v2SlotOffset(RECORDED_V2.slots.length));
  assert.equal(reader.counters.frames, RECORDED_V2.slots.length);
  assert.equal(reader.counters.truncated, 0);
});

test('V2: the offloaded UDP datagram carries CSUMNOTREADY and a NEEDS_CSUM vnet header', () => {
  const ring = v2Ring();
  const batch = new RxBatch(64);
  new RingV2Reader(ring, V2_GEOMETRY).read(batch);
  const i = batch.length.indexOf(52);
  assert.ok(i >= 0);
  assert.ok(batch.status[i]! & TpStatus.CsumNotReady);
  const hdr = batch.frame[i]! - 10;
  assert.equal(ring[hdr + VnetHdr.Flags], VnetFlag.NeedsCsum);
  assert.equal(vnetU16(ring, hdr, VnetHdr.CsumStart), 34, 'the UDP header, after 14 + 20 bytes');
  assert.equal(vnetU16(ring, hdr, VnetHdr.CsumOffset), 6, 'the UDP checksum field');
});

test("V2: slots stay the reader's until release(), then go back to the kernel in order", () => {
  const ring = v2Ring();
  const reader = new RingV2Reader(ring, V2_GEOMETRY);
  const small = new RxBatch(4);
  assert.equal(reader.read(small), 4);
  assert.equal(reader.read(new RxBatch(0)), 0);
  assert.equal(reader.cursor, v2SlotOffset(4));
  assert.equal(ring.readUInt32LE(0) & TpStatus.User, TpStatus.User, 'not released yet');
  reader.release();
  for (let i = 0; i < 4; i++) assert.equal(ring.readUInt32LE(v2SlotOffset(i)), TpStatus.Kernel);
  assert.notEqual(ring.readUInt32LE(v2SlotOffset(4)), TpStatus.Kernel, 'slot 4 was never read');
  small.clear();
  assert.equal(reader.read(small), 4);
  assert.deepEqual([...small.length], V2_LENGTHS.slice(4, 8));
});

test('V2: reading wraps around the end of the ring, across blocks', () => {
  const total = RECORDED_V2.slotsPerBlock * RECORDED_V2.blockCount;
  const first = total - 3;
  const ring = v2Ring(0, []);
  const reader = new RingV2Reader(ring, V2_GEOMETRY);
  const one = new RxBatch(1);
  // Bring the reader to slot `first` as a running ring would: a frame at a time.
  const arp = Buffer.from(RECORDED_V2.slots[0]!, 'base64');
  for (let i = 0; i < first; i++) {
    arp.copy(ring, v2SlotOffset(i));
    one.clear();
    assert.equal(reader.read(one), 1);
    reader.release();
  }
  v2Ring(first).copy(ring);
  assert.equal(reader.cursor, v2SlotOffset(first));
  const batch = new RxBatch(64);
  assert.equal(reader.read(batch), RECORDED_V2.slots.length);
  assert.deepEqual([...batch.length.subarray(0, batch.count)], V2_LENGTHS);
  assert.equal(batch.frame[3]! - ring.readUInt16LE(Tp2.Mac), 0, 'the fourth frame is in slot 0');
  reader.release();
  assert.equal(reader.cursor, v2SlotOffset(first + RECORDED_V2.slots.length));
});

test('V2: a truncated frame and a malformed slot are counted and skipped, and still released', () => {
  const ring = v2Ring();
  ring.writeUInt32LE(30, v2SlotOffset(1) + Tp2.SnapLen);
  ring.writeUInt16LE(1020, v2SlotOffset(2) + Tp2.Mac);
  ring.writeUInt32LE(TpStatus.User | TpStatus.Losing, v2SlotOffset(4));
  const reader = new RingV2Reader(ring, V2_GEOMETRY);
  const batch = new RxBatch(64);
  assert.equal(reader.read(batch), RECORDED_V2.slots.length - 2);
  assert.equal(reader.counters.truncated, 1);
  assert.equal(reader.counters.malformed, 1);
  assert.equal(reader.counters.losing, 1);
  reader.release();
  for (let i = 0; i < RECORDED_V2.slots.length; i++)
    assert.equal(ring.readUInt32LE(v2SlotOffset(i)), TpStatus.Kernel, `slot ${i}`);
});

test('V2: a read that found more than half the ring filled says the ring is backlogged', () => {
  const ring = v2Ring(0, [...RECORDED_V2.slots, ...RECORDED_V2.slots]);
  const reader = new RingV2Reader(ring, V2_GEOMETRY);
  const batch = new RxBatch(64);
  assert.equal(reader.read(batch), 20);
  assert.equal(reader.backlogged, true, '20 of 32 slots');
  reader.release();
  batch.clear();
  assert.equal(reader.read(batch), 0);
  assert.equal(reader.backlogged, false);
  const light = new RingV2Reader(v2Ring(), V2_GEOMETRY);
  light.read(batch);
  assert.equal(light.backlogged, false, '10 of 32 slots');
});

test('V3: more than half the blocks filled is a backlog, the block being read counted', () => {
  const batch = new RxBatch(3);
  const one = new RingV3Reader(v3Ring([0]), V3_GEOMETRY);
  one.read(batch);
  assert.equal(one.backlogged, false, '1 block of 2');
  batch.clear();
  const both = new RingV3Reader(v3Ring([0, 1]), V3_GEOMETRY);
  both.read(batch);
  assert.equal(both.backlogged, true, '2 blocks of 2, the second not opened yet');
});

test('V3: the recorded block yields its frames, and the block is released once read whole', () => {
  const ring = v3Ring([0]);
  const reader = new RingV3Reader(ring, V3_GEOMETRY, 1);
  const batch = new RxBatch(64);
  assert.equal(reader.cursor, TpBlock.Status);
  assert.equal(reader.read(batch), 7);
  assert.deepEqual([...batch.length.subarray(0, 7)], V3_LENGTHS);
  assert.deepEqual([...batch.pktType.subarray(0, 7)], V3_PKTTYPES);
  assert.equal(ring.readUInt16BE(batch.frame[0]! + 12), 0x0806);
  assert.ok(batch.status[4]! & TpStatus.CsumNotReady, 'the UDP datagram');
  assert.equal(ring[batch.frame[4]! - 10 + VnetHdr.Flags], VnetFlag.NeedsCsum);
  assert.equal(reader.counters.blocks, 1);
  assert.equal(reader.cursor, RECORDED_V3.blockSize + TpBlock.Status, 'next: block 1');
  assert.ok(ring.readUInt32LE(TpBlock.Status) & TpStatus.User, 'held until release');
  reader.release();
  assert.equal(ring.readUInt32LE(TpBlock.Status), TpStatus.Kernel);
});

test('V3: a block read in several batches is kept until its last frame was read', () => {
  const ring = v3Ring([0, 1]);
  const reader = new RingV3Reader(ring, V3_GEOMETRY);
  const batch = new RxBatch(3);
  const lengths: number[] = [];
  for (let round = 0; round < 5; round++) {
    batch.clear();
    reader.read(batch);
    lengths.push(...batch.length.subarray(0, batch.count));
    reader.release();
    if (round === 0) {
      assert.ok(ring.readUInt32LE(TpBlock.Status) & TpStatus.User, 'block 0 half read: kept');
      assert.equal(reader.cursor, TpBlock.Status, 'the waiter still sees block 0 ready');
    }
  }
  assert.deepEqual(lengths, [...V3_LENGTHS, ...V3_LENGTHS]);
  assert.equal(ring.readUInt32LE(TpBlock.Status), TpStatus.Kernel);
  assert.equal(ring.readUInt32LE(RECORDED_V3.blockSize + TpBlock.Status), TpStatus.Kernel);
  // The ring wraps: block 0 comes back from the kernel and is read again.
  v3Ring([0]).copy(ring, 0, 0, RECORDED_V3.blockSize);
  batch.clear();
  assert.equal(reader.cursor, TpBlock.Status);
  assert.equal(reader.read(batch), 3);
});

test('V3: truncated and malformed frames are counted, the rest of the block still read', () => {
  const ring = v3Ring([0]);
  const first = ring.readUInt32LE(TpBlock.OffsetToFirstPkt);
  const second = first + ring.readUInt32LE(first + Tp3.NextOffset);
  ring.writeUInt32LE(20, first + Tp3.SnapLen);
  ring.writeUInt16LE(RECORDED_V3.blockSize, second + Tp3.Mac);
  const reader = new RingV3Reader(ring, V3_GEOMETRY);
  const batch = new RxBatch(64);
  assert.equal(reader.read(batch), 5);
  assert.deepEqual([...batch.length.subarray(0, 5)], V3_LENGTHS.slice(2));
  assert.equal(reader.counters.truncated, 1);
  assert.equal(reader.counters.malformed, 1);
});

test('a ring that does not match its geometry is refused', () => {
  assert.throws(() => new RingV2Reader(Buffer.alloc(4096), V2_GEOMETRY), /geometry/);
  assert.throws(() => new RingV3Reader(Buffer.alloc(4096), V3_GEOMETRY), /geometry/);
});
