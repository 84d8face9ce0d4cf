// One interface as one thread sees it: its packet socket, receive ring and ring reader, and
// the ids under which the thread's transmitter knows the socket and the ring.
import { afpacketAddon, type NativePacketSocket } from './native.js';
import { DEFAULT_RING_V2, ringSocketOptions, type RingConfig } from './ring-config.js';
import { RingV2Reader } from './ring-v2-reader.js';
import { RingV3Reader } from './ring-v3-reader.js';
import type { RingReader, RxBatch } from './rx-batch.js';

/** PACKET_FANOUT modes: hash keeps each direction of a flow on one socket. */
export const FANOUT_MODES = { hash: 0, lb: 1, cpu: 2 } as const;
export type FanoutMode = keyof typeof FANOUT_MODES;

export interface PortOptions {
  readonly ifName: string;
  readonly ring?: RingConfig;
  readonly fanout?: { readonly group: number; readonly mode: FanoutMode };
  /** Classic BPF program (bpf-program.ts), attached before any frame is received. */
  readonly filter?: Buffer;
  readonly sendBuffer?: number;
  /**
   * PACKET_QDISC_BYPASS: frames sent skip the qdisc layer — and the host's packet taps, so
   * tcpdump on this host no longer sees what uvs sends. Off unless asked.
   */
  readonly qdiscBypass?: boolean;
}

export interface PortIds {
  /** Index of the port in its group, and `source` of its frames in an RxBatch. */
  readonly source: number;
  /** The port's index in its Waiter. */
  readonly wait: number;
  /** Transmitter ids: this port's socket (to send on it) and ring (to send frames from it). */
  readonly txSocket: number;
  readonly txRing: number;
}

/** Kernel counters, cumulative (the kernel's reset on each read). */
export interface PortStatistics {
  received: number;
  dropped: number;
  queueFrozen: number;
}

export class AfPacketPort {
  readonly ifName: string;
  readonly ifIndex: number;
  readonly socket: NativePacketSocket;
  readonly reader: RingReader;
  readonly statisticsSoFar: PortStatistics = { received: 0, dropped: 0, queueFrozen: 0 };
  private ids: PortIds | undefined;

  constructor(
    options: PortOptions,
    readonly source = 0,
  ) {
    const ring = options.ring ?? DEFAULT_RING_V2;
    const { geometry, ...socketOptions } = ringSocketOptions(options.ifName, ring);
    const fanout = options.fanout;
    this.socket = new (afpacketAddon().PacketSocket)({
      ...socketOptions,
      ...(fanout ? { fanoutGroup: fanout.group, fanoutMode: FANOUT_MODES[fanout.mode] } : {}),
      ...(options.filter ? { filter: options.filter } : {}),
      ...(options.sendBuffer !== undefined ? { sendBuffer: options.sendBuffer } : {}),
      qdiscBypass: options.qdiscBypass === true,
    });
    this.ifName = options.ifName;
    this.ifIndex = this.socket.ifIndex;
    this.reader =
      geometry.version === 2
        ? new RingV2Reader(this.socket.ring, geometry, source)
        : new RingV3Reader(this.socket.ring, geometry, source);
  }

  /** Set once by the PortGroup that registers the port. */
  get idsInGroup(): PortIds {
    if (this.ids === undefined) throw new Error(`port "${this.ifName}" is not in a PortGroup`);
    return this.ids;
  }

  attach(ids: PortIds): void {
    this.ids = ids;
  }

  get ring(): Buffer {
    return this.socket.ring;
  }

  read(batch: RxBatch): number {
    return this.reader.read(batch);
  }

  release(): void {
    this.reader.release();
  }

  setFilter(program: Buffer): void {
    this.socket.setFilter(program);
  }

  addMembership(mac: Buffer): void {
    this.socket.addMembership(mac);
  }

  /** Reads the kernel's counters and adds them to statisticsSoFar. */
  statistics(): PortStatistics {
    const s = this.socket.statistics();
    const acc = this.statisticsSoFar;
    acc.received += s.received;
    acc.dropped += s.dropped;
    acc.queueFrozen += s.queueFrozen;
    return acc;
  }

  close(): void {
    this.socket.close();
  }
}
