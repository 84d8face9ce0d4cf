// The packet sockets a worker opens for its interfaces. A V3 ring packs frames of any size in its
// blocks: one socket per interface. V2 slots have one size: two sockets per interface, one whose
// ring has small slots for frames up to SMALL_FRAME_MAX bytes and one with 64 KiB slots for the
// larger (GSO super-frames), each socket's filter taking its share (ring-config.ts says why).
import { filterBySize } from '../../io/afpacket/bpf-program.js';
import {
  LARGE_FRAME_FANOUT_BIT,
  SMALL_FRAME_MAX,
  smallFrameRing,
  type RingConfig,
} from '../../io/afpacket/ring-config.js';
import type { PortSpec } from './worker-messages.js';

export interface PortPlan {
  readonly spec: PortSpec;
  readonly ring: RingConfig;
  /** The spec's filter, with the size test of its ring when there are two. */
  readonly filter: Buffer;
  /** PACKET_FANOUT group (0: none): the small- and large-frame sockets have one each. */
  readonly fanoutGroup: number;
}

export function portPlans(specs: readonly PortSpec[], ring: RingConfig): PortPlan[] {
  return specs.flatMap((spec): PortPlan[] => {
    if (ring.version !== 2 || ring.maxFrame <= SMALL_FRAME_MAX)
      return [{ spec, ring, filter: Buffer.from(spec.filter), fanoutGroup: spec.fanoutGroup }];
    const group = spec.fanoutGroup;
    return [
      {
        spec,
        ring: smallFrameRing(ring),
        filter: filterBySize(spec.filter, 'small', SMALL_FRAME_MAX),
        fanoutGroup: group,
      },
      {
        spec,
        ring,
        filter: filterBySize(spec.filter, 'large', SMALL_FRAME_MAX),
        fanoutGroup: group === 0 ? 0 : group | LARGE_FRAME_FANOUT_BIT,
      },
    ];
  });
}
