// The transmit queue's encoding (what the native Transmitter reads) and the ring geometry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NativePacketSocket, NativeTransmitter } from '../../src/io/afpacket/native.js';
import {
  DEFAULT_RING_V2,
  DEFAULT_RING_V3,
  ringGeometry,
  ringSocketOptions,
} from '../../src/io/afpacket/ring-config.js';
import { PortSink } from '../../src/daemon/worker/port-sink.js';
import { newTxCounters, TxEntry, TxQueue } from '../../src/io/afpacket/tx-queue.js';
import { MAX_FRAME } from '../../src/packet/frame-layout.js';

/** Records what send() was given; reports every frame sent. */
class RecordingTransmitter implements NativeTransmitter {
  readonly calls: number[][] = [];
  readonly stats = new Float64Array([7, 700, 2, 1, 105]);
  addSocket(_socket: NativePacketSocket): number {
    return 0;
  }
  addBuffer(_buf: Buffer): number {
    return 0;
  }
  send(queue: Uint32Array, count: number): number {
    this.calls.push([...queue.subarray(0, count * TxEntry.Stride)]);
    return count;
  }
}

test('each queued frame is four uint32: socket, buffer, frame offset, length', () => {
  const tx = new RecordingTransmitter();
  const q = new TxQueue(tx, 8);
  q.push(1, 0, 140, 60);
  q.push(0, 2, 65536 + 74, 65226);
  assert.equal(q.count, 2);
  assert.equal(q.flush(), 2);
  assert.deepEqual(tx.calls, [[1, 0, 140, 60, 0, 2, 65610, 65226]]);
  assert.equal(q.count, 0);
  assert.equal(q.flush(), 0, 'an empty queue makes no call');
  assert.equal(tx.calls.length, 1);
});

test('a full queue flushes itself before taking the next frame, keeping the order', () => {
  const tx = new RecordingTransmitter();
  const q = new TxQueue(tx, 2);
  for (let i = 0; i < 5; i++) q.push(0, 0, 100 + i, 60);
  q.flush();
  assert.deepEqual(
    tx.calls.map((c) => c.filter((_, i) => i % TxEntry.Stride === TxEntry.Offset)),
    [[100, 101], [102, 103], [104]],
  );
});

test('the transmitter counters are read by name', () => {
  const q = new TxQueue(new RecordingTransmitter());
  assert.deepEqual(q.counters(newTxCounters()), {
    sent: 7,
    sentBytes: 700,
    failed: 2,
    invalid: 1,
    lastErrno: 105,
  });
});

test('a default V2 ring has slots that hold a 64 KiB GSO super-frame whole', () => {
  const g = ringGeometry(DEFAULT_RING_V2);
  // tpacket2_hdr + sockaddr_ll aligned (80) + reserve (64) + vnet (10) - Ethernet (14) = 140.
  assert.ok(g.slotSize >= 140 + MAX_FRAME);
  assert.equal(g.slotSize % 16, 0);
  assert.equal(g.slotsPerBlock, Math.floor(DEFAULT_RING_V2.blockSize / g.slotSize));
  assert.ok(g.slotsPerBlock * g.blockCount >= 200, 'room for a burst of frames');
  const opts = ringSocketOptions('eth1', DEFAULT_RING_V2);
  assert.equal(opts.frameSize, g.slotSize);
  assert.equal(opts.reserve, 64);
});

test('a V3 ring needs blocks that hold a whole super-frame; bad sizes are refused', () => {
  assert.equal(ringGeometry(DEFAULT_RING_V3).version, 3);
  assert.equal(ringSocketOptions('eth1', DEFAULT_RING_V3).retireMs, DEFAULT_RING_V3.retireMs);
  assert.throws(() => ringGeometry({ ...DEFAULT_RING_V3, blockSize: 65536 }), /must hold/);
  assert.throws(() => ringGeometry({ ...DEFAULT_RING_V2, blockSize: 65536 }), /more than a block/);
  assert.throws(() => ringGeometry({ ...DEFAULT_RING_V2, blockSize: 5000 }), /multiple of 4096/);
  assert.throws(() => ringGeometry({ ...DEFAULT_RING_V2, ringBytes: 1 << 20 }), /fewer than 2/);
});

test('PortSink queues a frame by the ids of its buffer and of the port on its interface', () => {
  const tx = new RecordingTransmitter();
  const ring0 = Buffer.alloc(64);
  const ring1 = Buffer.alloc(64);
  const arena = Buffer.alloc(64);
  const group = {
    ports: [
      { ifIndex: 7, ring: ring0, idsInGroup: { source: 0, wait: 0, txSocket: 0, txRing: 0 } },
      { ifIndex: 9, ring: ring1, idsInGroup: { source: 1, wait: 1, txSocket: 1, txRing: 1 } },
    ],
    tx: new TxQueue(tx),
    addArena: () => 2,
  };
  const sink = new PortSink(group);
  sink.addArena(arena);
  sink.send(ring0, 140, 60, 9); // forwarded: from port 0's ring out of port 1
  sink.send(arena, 10, 42, 7); // built: from the arena out of port 0
  sink.send(Buffer.alloc(64), 10, 42, 7); // a Buffer nobody registered
  sink.send(ring1, 140, 60, 3); // an interface without a port
  group.tx.flush();
  assert.deepEqual(tx.calls, [[1, 0, 140, 60, 0, 2, 10, 42]]);
  assert.deepEqual(sink.counters, { noPort: 1, unknownBuffer: 1 });
});
