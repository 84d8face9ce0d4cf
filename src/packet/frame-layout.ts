// Where a received frame sits in the memory that an io backend hands the engine. Every backend
// (afpacket rings, pcap, memory) follows it, so that the engine is the same over all of them:
//
//   ... headroom (≥ FRAME_HEADROOM bytes) | virtio_net_hdr (10 bytes) | frame (Ethernet first) ...
//                                                                    ^ off
// The virtio_net_hdr (packet/virtio-net-hdr.ts) is the kernel's for an AF_PACKET socket with
// PACKET_VNET_HDR, zeros for backends without one. The headroom lets a forwarder prepend an outer
// header in place (LVS-TUN moves the frame's start up to 40 bytes earlier, then writes the virtio
// header before the new start). What the engine sends is described the same way: a frame start
// and a length, with its virtio_net_hdr just before the start.
import { VNET_HDR_LEN } from './virtio-net-hdr.js';

/** Bytes guaranteed free before a received frame's virtio_net_hdr. */
export const FRAME_HEADROOM = 64;

/** Offset of the first frame in a backend's own receive buffer (memory, pcap). */
export const FIRST_FRAME_OFFSET = FRAME_HEADROOM + VNET_HDR_LEN;

/** Largest frame a backend delivers: a 64 KiB GSO super-frame and its Ethernet header. */
export const MAX_FRAME = 65536 + 14 + 4;
