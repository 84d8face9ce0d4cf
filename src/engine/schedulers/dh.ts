// Destination hashing (ip_vs_dh.c): 256 buckets filled with the servers in turn; the
// packet's destination address picks the bucket. A bucket whose server is unavailable
// gives no server (dh has no fallback).
import type { Dest } from '../dest.js';
import { hash32 } from './hash.js';
import type { FlowInfo, Scheduler } from './scheduler.js';

const BITS = 8;

export class DestinationHashing implements Scheduler {
  readonly name = 'dh';
  private buckets: Dest[] = [];

  destsChanged(dests: readonly Dest[]): void {
    this.buckets =
      dests.length === 0
        ? []
        : Array.from({ length: 1 << BITS }, (_, i) => dests[i % dests.length]!);
  }

  schedule(_dests: readonly Dest[], flow: FlowInfo): Dest | undefined {
    const d = this.buckets[hash32(flow.dstAddr, BITS)];
    return d && d.available ? d : undefined;
  }
}
