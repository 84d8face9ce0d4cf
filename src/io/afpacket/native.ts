// The AF_PACKET addon (native/, built by `npm ci` through node-gyp), typed. Loaded on first use
// so that importing this module costs nothing where the addon is not built (other systems).
// Every object it makes belongs to the thread that made it; only a Waker's fd number and a
// mapShared() SharedArrayBuffer are meant to cross threads.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface PacketSocketOptions {
  readonly ifName: string;
  /** TPACKET_V2 (fixed slots) or TPACKET_V3 (blocks of packed frames). */
  readonly version: 2 | 3;
  /** Bytes per ring block: a multiple of the page size. */
  readonly blockSize: number;
  readonly blockCount: number;
  /** V2: bytes per slot, a multiple of 16; slots never span blocks. */
  readonly frameSize?: number;
  /** V3: a block is handed over when full or after this many ms (rounded up to jiffies). */
  readonly retireMs?: number;
  /** PACKET_RESERVE: bytes the kernel leaves before each frame's vnet header (headroom). */
  readonly reserve?: number;
  /** PACKET_FANOUT group id (16 bits) and mode (PACKET_FANOUT_HASH = 0, LB = 1, CPU = 2). */
  readonly fanoutGroup?: number;
  readonly fanoutMode?: number;
  /** PACKET_QDISC_BYPASS, on unless false. */
  readonly qdiscBypass?: boolean;
  /** SO_SNDBUFFORCE bytes; the system default when absent. */
  readonly sendBuffer?: number;
  /** A classic BPF program (8-byte sock_filter entries) attached before the socket is bound. */
  readonly filter?: Buffer;
}

/** Counts since the previous call (the kernel resets them on each read). */
export interface SocketStatistics {
  /** Frames that passed the filter, dropped ones included. */
  readonly received: number;
  /** Frames dropped for want of a free slot or block. */
  readonly dropped: number;
  /** V3: times the ring was frozen full. */
  readonly queueFrozen: number;
}

export interface NativePacketSocket {
  /** The receive ring, mapped: tpacket headers and frames, read and released in place. */
  readonly ring: Buffer;
  /** -1 once closed. */
  readonly fd: number;
  readonly ifIndex: number;
  /** Replaces the classic BPF filter atomically. */
  setFilter(program: Buffer): void;
  /** PACKET_ADD_MEMBERSHIP of an Ethernet multicast address (6 bytes). */
  addMembership(mac: Buffer): void;
  statistics(): SocketStatistics;
  close(): void;
}

export const enum WaitResult {
  TimedOut = 0,
  Ready = 1,
  Woken = 2,
}

export interface NativeWaiter {
  /** Watches a socket; returns its index in `cursors`. */
  add(socket: NativePacketSocket): number;
  /** An eventfd (Waker.fd of another thread) that interrupts wait(). */
  setWaker(fd: number): void;
  /**
   * Blocks until a watched socket has a frame at its cursor, the waker fires or `timeoutMs`
   * passes (< 0: no limit), spinning `spinUs` µs first. A WaitResult bit set.
   */
  wait(spinUs: number, timeoutMs: number): number;
  /** Per socket, the byte offset in its ring of the status word the reader looks at next. */
  readonly cursors: Uint32Array;
}

export interface NativeTransmitter {
  addSocket(socket: NativePacketSocket): number;
  /** A Buffer frames are sent from (a ring, an arena); kept alive while the transmitter is. */
  addBuffer(buf: Buffer): number;
  /** Sends `count` queue entries (see tx-queue.ts); returns how many frames left. */
  send(queue: Uint32Array, count: number): number;
  /** [sent, sentBytes, failed, invalid, lastErrno], cumulative. */
  readonly stats: Float64Array;
}

export interface NativeWaker {
  readonly fd: number;
  wake(): void;
  close(): void;
}

export interface AfPacketAddon {
  readonly PacketSocket: new (options: PacketSocketOptions) => NativePacketSocket;
  readonly Waiter: new () => NativeWaiter;
  readonly Transmitter: new () => NativeTransmitter;
  readonly Waker: new () => NativeWaker;
  /** A file mapped MAP_SHARED (created, grown to `bytes`, contents kept) as a SharedArrayBuffer. */
  readonly mapShared: (path: string, bytes: number) => SharedArrayBuffer;
}

export class AddonError extends Error {
  readonly code = 'E_AFPACKET_ADDON';
}

export const ADDON_PATH = fileURLToPath(
  new URL('../../../../build/Release/uvs_afpacket.node', import.meta.url),
);

let loaded: AfPacketAddon | undefined;

export function afpacketAddon(): AfPacketAddon {
  if (loaded !== undefined) return loaded;
  if (process.platform !== 'linux')
    throw new AddonError(`the afpacket io backend needs Linux (this is ${process.platform})`);
  let mod: unknown;
  try {
    mod = createRequire(import.meta.url)(ADDON_PATH);
  } catch (err) {
    throw new AddonError(
      `cannot load the afpacket addon ${ADDON_PATH} (built by npm ci): ${(err as Error).message}`,
    );
  }
  const names = ['PacketSocket', 'Waiter', 'Transmitter', 'Waker', 'mapShared'] as const;
  for (const name of names)
    if (typeof (mod as Record<string, unknown>)[name] !== 'function')
      throw new AddonError(`the afpacket addon ${ADDON_PATH} lacks ${name}: rebuild it`);
  loaded = mod as AfPacketAddon;
  return loaded;
}

/** mapShared() of the addon: see AfPacketAddon. */
export function mapShared(path: string, bytes: number): SharedArrayBuffer {
  return afpacketAddon().mapShared(path, bytes);
}
