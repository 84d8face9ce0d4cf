// A thread's AF_PACKET io: its ports, one Waiter over their rings, one Transmitter and its
// queue. A worker's loop is
//   group.wait(spinUs, timeoutMs); for each port: batch.clear(), port.read(batch), process,
//   group.tx.push(...); then group.commit()  (flush the queue, then release the rings),
// and frames are sent from the ring they arrived in: commit() keeps that order.
import { afpacketAddon, type NativeTransmitter, type NativeWaiter } from './native.js';
import { AfPacketPort, type PortOptions } from './port.js';
import { TxQueue } from './tx-queue.js';

/** Ports per group: a byte in RxBatch.source, 64 sockets per Waiter and Transmitter. */
export const MAX_PORTS = 64;

export interface PortGroupOptions {
  /** Frames the tx queue holds before it flushes on its own. */
  readonly txCapacity?: number;
  /** Waker.fd of the thread that may interrupt wait(). */
  readonly wakerFd?: number;
}

export class PortGroup {
  readonly ports: AfPacketPort[] = [];
  readonly tx: TxQueue;
  private readonly waiter: NativeWaiter;
  private readonly transmitter: NativeTransmitter;

  constructor(options: PortGroupOptions = {}) {
    const addon = afpacketAddon();
    this.waiter = new addon.Waiter();
    this.transmitter = new addon.Transmitter();
    this.tx = new TxQueue(this.transmitter, options.txCapacity ?? 1024);
    if (options.wakerFd !== undefined) this.waiter.setWaker(options.wakerFd);
  }

  /** Opens a port on an interface; errors name the interface and the syscall. */
  open(options: PortOptions): AfPacketPort {
    if (this.ports.length >= MAX_PORTS)
      throw new RangeError(`a PortGroup holds at most ${MAX_PORTS} ports`);
    const port = new AfPacketPort(options, this.ports.length);
    port.attach({
      source: port.source,
      wait: this.waiter.add(port.socket),
      txSocket: this.transmitter.addSocket(port.socket),
      txRing: this.transmitter.addBuffer(port.ring),
    });
    this.ports.push(port);
    return port;
  }

  /** Registers a Buffer the engine builds frames in; returns its buffer id for tx.push(). */
  addArena(arena: Buffer): number {
    return this.transmitter.addBuffer(arena);
  }

  /** Port by its `source` id (RxBatch.source). */
  port(source: number): AfPacketPort {
    const p = this.ports[source];
    if (p === undefined) throw new RangeError(`no port ${source} in this group`);
    return p;
  }

  /** Blocks until a frame is ready on a port, the waker fires or the timeout passes (WaitResult bits). */
  wait(spinUs: number, timeoutMs: number): number {
    const { ports } = this;
    const cursors = this.waiter.cursors;
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i]!;
      cursors[p.idsInGroup.wait] = p.reader.cursor;
    }
    return this.waiter.wait(spinUs, timeoutMs);
  }

  /** Sends what is queued, then gives the frames read so far back to the kernel. */
  commit(): void {
    this.tx.flush();
    const { ports } = this;
    for (let i = 0; i < ports.length; i++) ports[i]!.release();
  }

  close(): void {
    for (const p of this.ports) p.close();
  }
}
