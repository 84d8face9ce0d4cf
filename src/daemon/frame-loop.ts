// The fast path of an engine on the main thread (pcap, memory): each received frame goes through
// the engine, which hands what it sends to the backend; ARP frames also feed the userspace
// neighbour cache.
import type { Engine } from '../engine/engine.js';
import type { FrameHandler } from '../io/io-backend.js';
import { ETH_HLEN, EtherType, ethType } from '../packet/ethernet.js';

export interface ArpLearner {
  learn(buf: Buffer, off: number, len: number, ifIndex: number): void;
}

export function frameLoop(engine: Engine, arp: ArpLearner, clock: () => number): FrameHandler {
  return (buf, off, len, ifIndex) => {
    if (len >= ETH_HLEN && ethType(buf, off) === EtherType.ARP) arp.learn(buf, off, len, ifIndex);
    engine.process(buf, off, len, ifIndex, clock());
    // Frames are sent as they are made: the arena is free again after each one.
    engine.arena.reset();
    engine.endBatch();
  };
}
