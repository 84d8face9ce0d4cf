// Destination hashing (ip_vs_dh.c): 256 buckets filled with the servers in turn; the
// packet's destination address picks the bucket. A bucket whose server is unavailable
// gives no server (dh has no fallback).
import type { LiveDest } from '../live-dest.js';
import { hash32 } from './hash.js';
import type { FrameFields } from '../frame-fields.js';
import type { Scheduler } from './scheduler.js';

const BITS = 8;

export class DestinationHashing implements Scheduler {
  readonly name = 'dh';
  private buckets: LiveDest[] = [];

  destsChanged(dests: readonly LiveDest[]): void {
    this.buckets =
      dests.length === 0
        ? []
        : Array.from({ length: 1 << BITS }, (_, i) => dests[i % dests.length]!);
  }

  schedule(_dests: readonly LiveDest[], flow: FrameFields): LiveDest | undefined {
    const d = this.buckets[hash32(flow.dstAddr, BITS)];
    return d && d.available ? d : undefined;
  }
}
