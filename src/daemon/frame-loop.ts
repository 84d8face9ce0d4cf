// The fast path of the daemon: each received frame goes through the engine, and what the
// engine rewrote goes out again. ARP frames also feed the userspace neighbour cache.
import type { Engine } from '../engine/engine.js';
import { Verdict } from '../engine/verdict.js';
import { Eth, EtherType } from '../packet/ethernet.js';
import type { FrameHandler, IoBackend } from '../io/io-backend.js';

export interface ArpLearner {
  learn(buf: Buffer, len: number, ifIndex: number): void;
}

export function frameLoop(
  engine: Engine,
  io: IoBackend,
  arp: ArpLearner,
  clock: () => number,
): FrameHandler {
  return (buf, len, ifIndex) => {
    if (len >= 14 && ((buf[Eth.Type]! << 8) | buf[Eth.Type + 1]!) === EtherType.ARP)
      arp.learn(buf, len, ifIndex);
    const v = engine.process(buf, len, ifIndex, clock());
    if (v === Verdict.Forward || v === Verdict.Reply)
      io.send(engine.txIfIndex, engine.txBuf, engine.txLen);
  };
}
