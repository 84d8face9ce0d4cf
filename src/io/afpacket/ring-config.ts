// The shape of a receive ring, from what it must hold to the socket options that make it.
// V2 slots are sized for the largest frame (a 64 KiB GSO super-frame), so nothing is ever
// truncated; V3 blocks pack frames of any size but reach userspace only when full or retired.
import { FRAME_HEADROOM, MAX_FRAME } from '../../packet/frame-layout.js';
import type { PacketSocketOptions } from './native.js';
import { frameOffsetInSlot, TPACKET2_HDRLEN, TPACKET3_HDRLEN, tpacketAlign } from './tpacket.js';

export interface RingConfig {
  readonly version: 2 | 3;
  /** Bytes of ring per socket; rounded down to whole blocks. */
  readonly ringBytes: number;
  /** Bytes per block, a multiple of the page size (4096). */
  readonly blockSize: number;
  /** V3: ms before a partly filled block is handed over (the kernel rounds up to a jiffy). */
  readonly retireMs: number;
  /** The largest frame that must arrive whole (Ethernet header included). */
  readonly maxFrame: number;
}

const MiB = 1 << 20;

/**
 * 16 MiB of 1 MiB blocks, 15 slots of 64 KiB + headers each: 240 frames in flight (and with
 * smallFrameRing(), about 7600 frames of up to 2 KiB).
 */
export const DEFAULT_RING_V2: RingConfig = {
  version: 2,
  ringBytes: 16 * MiB,
  blockSize: MiB,
  retireMs: 0,
  maxFrame: MAX_FRAME,
};

export const DEFAULT_RING_V3: RingConfig = {
  version: 3,
  ringBytes: 16 * MiB,
  blockSize: 256 * 1024,
  retireMs: 1,
  maxFrame: MAX_FRAME,
};

/**
 * V2 slots have one size, the largest frame's: 16 MiB hold 240 slots of 64 KiB, a millisecond of
 * a burst of small frames (with 1000 clients connecting at once, the kernel dropped 24 000 frames
 * in 6 s, each a retransmission for TCP). So a V2 interface gets two rings, each socket's
 * filter taking its share: frames up to SMALL_FRAME_MAX bytes (SYNs, ACKs, requests, MTU-sized
 * segments) in slots of that size, about 7600 of them; larger ones (GSO super-frames) in the
 * 64 KiB slots.
 */
export const SMALL_FRAME_MAX = 2048;

/** `cfg` for the frames up to SMALL_FRAME_MAX bytes. */
export function smallFrameRing(cfg: RingConfig): RingConfig {
  return { ...cfg, maxFrame: SMALL_FRAME_MAX };
}

/** The fanout group of the large-frame sockets of an interface: its small-frame group | this. */
export const LARGE_FRAME_FANOUT_BIT = 0x8000;

/** PACKET_RESERVE: the headroom before the vnet header is this plus 14 bytes (tpacket.ts). */
export const RING_RESERVE = FRAME_HEADROOM;

export interface RingGeometry {
  readonly version: 2 | 3;
  readonly blockSize: number;
  readonly blockCount: number;
  /** V2: bytes per slot and slots per block (slots never span blocks). */
  readonly slotSize: number;
  readonly slotsPerBlock: number;
}

export class RingConfigError extends Error {
  readonly code = 'E_RING_CONFIG';
}

export function ringGeometry(cfg: RingConfig): RingGeometry {
  if (cfg.blockSize <= 0 || cfg.blockSize % 4096 !== 0)
    throw new RingConfigError(`ring block size ${cfg.blockSize} is not a multiple of 4096`);
  const blockCount = Math.floor(cfg.ringBytes / cfg.blockSize);
  if (blockCount < 2)
    throw new RingConfigError(`a ring of ${cfg.ringBytes} bytes holds fewer than 2 blocks`);
  if (cfg.version === 2) {
    const slotSize = tpacketAlign(frameOffsetInSlot(TPACKET2_HDRLEN, RING_RESERVE) + cfg.maxFrame);
    if (slotSize > cfg.blockSize)
      throw new RingConfigError(
        `a V2 slot for ${cfg.maxFrame}-byte frames needs ${slotSize} bytes, more than a block`,
      );
    const slotsPerBlock = Math.floor(cfg.blockSize / slotSize);
    return { version: 2, blockSize: cfg.blockSize, blockCount, slotSize, slotsPerBlock };
  }
  // The block descriptor comes first, then frames; one frame must fit a whole block.
  const need = 48 + frameOffsetInSlot(TPACKET3_HDRLEN, RING_RESERVE) + cfg.maxFrame;
  if (need > cfg.blockSize)
    throw new RingConfigError(
      `a V3 block must hold a ${cfg.maxFrame}-byte frame: ${need} bytes, more than ${cfg.blockSize}`,
    );
  return { version: 3, blockSize: cfg.blockSize, blockCount, slotSize: 0, slotsPerBlock: 0 };
}

/** The PacketSocket options of a ring, before fanout and filter are added. */
export function ringSocketOptions(
  ifName: string,
  cfg: RingConfig,
): PacketSocketOptions & { readonly geometry: RingGeometry } {
  const g = ringGeometry(cfg);
  const base = { ifName, blockSize: g.blockSize, blockCount: g.blockCount, reserve: RING_RESERVE };
  return g.version === 2
    ? { ...base, version: 2, frameSize: g.slotSize, geometry: g }
    : { ...base, version: 3, retireMs: cfg.retireMs, geometry: g };
}
