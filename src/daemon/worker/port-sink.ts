// The engine's FrameSink over a PortGroup's transmit queue: a frame given as (buffer, offset,
// length, interface) is queued by the Transmitter ids of its buffer (a port's ring or a
// registered arena) and of the port on that interface. No allocation: interfaces are found in
// a Map, buffers by identity among the few registered ones.
import type { FrameSink } from '../../engine/frame-sink.js';
import type { PortIds } from '../../io/afpacket/port.js';
import type { TxQueue } from '../../io/afpacket/tx-queue.js';

/** What PortSink needs of a PortGroup. */
export interface SinkPorts {
  readonly ports: readonly {
    readonly ifIndex: number;
    readonly ring: Buffer;
    readonly idsInGroup: PortIds;
  }[];
  readonly tx: TxQueue;
  addArena(arena: Buffer): number;
}

export interface SinkCounters {
  /** Frames for an interface without a port in this group. */
  noPort: number;
  /** Frames in a Buffer that is neither a port's ring nor a registered arena. */
  unknownBuffer: number;
}

export class PortSink implements FrameSink {
  readonly counters: SinkCounters = { noPort: 0, unknownBuffer: 0 };
  private readonly socketOf = new Map<number, number>();
  private readonly buffers: Buffer[] = [];
  private readonly bufferIds: number[] = [];

  constructor(private readonly group: SinkPorts) {
    for (const p of group.ports) {
      this.socketOf.set(p.ifIndex, p.idsInGroup.txSocket);
      this.buffers.push(p.ring);
      this.bufferIds.push(p.idsInGroup.txRing);
    }
  }

  /** Registers an arena (engine/tx-arena.ts) with the group's transmitter. */
  addArena(arena: Buffer): void {
    this.buffers.push(arena);
    this.bufferIds.push(this.group.addArena(arena));
  }

  send(buf: Buffer, off: number, len: number, ifIndex: number): void {
    const socket = this.socketOf.get(ifIndex);
    if (socket === undefined) {
      this.counters.noPort++;
      return;
    }
    const { buffers } = this;
    for (let i = 0; i < buffers.length; i++)
      if (buffers[i] === buf) {
        this.group.tx.push(socket, this.bufferIds[i]!, off, len);
        return;
      }
    this.counters.unknownBuffer++;
  }
}
