// The kernel's receive-ring layout (include/uapi/linux/if_packet.h), as byte offsets read
// in place. Host byte order: uvs runs on little-endian Linux (x86-64, arm64).
//
// TPACKET_V2 slot:  tpacket2_hdr (32) | sockaddr_ll (20) | … | vnet hdr (10) | frame
//                   ^ slot start                                              ^ slot + tp_mac
// TPACKET_V3 block: tpacket_block_desc | packet | packet | …  each packet is
//                   tpacket3_hdr (48) | sockaddr_ll (20) | … | vnet hdr (10) | frame,
//                   the next one tp_next_offset bytes further.
// The kernel puts the frame at TPACKET_ALIGN(hdrlen + 16) + PACKET_RESERVE + 10 - 14 from
// the header (af_packet.c tpacket_rcv, with PACKET_VNET_HDR), so the bytes between the end
// of sockaddr_ll and the vnet header, PACKET_RESERVE + 14 of them, are free headroom.

export const enum TpStatus {
  Kernel = 0,
  User = 1,
  Copy = 1 << 1,
  /** Frames were dropped since the previous frame (the ring was full). */
  Losing = 1 << 2,
  /** The L4 checksum is partial: the vnet header's NeedsCsum says where. */
  CsumNotReady = 1 << 3,
  VlanValid = 1 << 4,
  /** V3 block status: handed over by its retire timer rather than full. */
  BlockTimedOut = 1 << 5,
  CsumValid = 1 << 7,
}

export const enum Tp2 {
  Status = 0,
  Len = 4,
  SnapLen = 8,
  Mac = 12,
  Net = 14,
  Sec = 16,
  Nsec = 20,
  VlanTci = 24,
  VlanTpid = 26,
  /** sockaddr_ll: TPACKET_ALIGN(sizeof(struct tpacket2_hdr)). */
  Addr = 32,
}

export const enum Tp3 {
  NextOffset = 0,
  Sec = 4,
  Nsec = 8,
  SnapLen = 12,
  Len = 16,
  Status = 20,
  Mac = 24,
  Net = 26,
  RxHash = 28,
  VlanTci = 32,
  VlanTpid = 36,
  Addr = 48,
}

/** struct tpacket_block_desc with its tpacket_hdr_v1. */
export const enum TpBlock {
  Version = 0,
  OffsetToPriv = 4,
  Status = 8,
  NumPkts = 12,
  OffsetToFirstPkt = 16,
  BlockLen = 20,
  SeqNum = 24,
}

/** struct sockaddr_ll. */
export const enum SockAddrLl {
  Family = 0,
  Protocol = 2,
  IfIndex = 4,
  HaType = 8,
  PktType = 10,
  HaLen = 11,
  Addr = 12,
}

/** sll_pkttype values (PACKET_HOST…). */
export const enum PktType {
  Host = 0,
  Broadcast = 1,
  Multicast = 2,
  OtherHost = 3,
  Outgoing = 4,
}

export const TPACKET_ALIGNMENT = 16;
export const TPACKET2_HDRLEN = 52;
export const TPACKET3_HDRLEN = 68;
export const ETH_HLEN = 14;

export function tpacketAlign(n: number): number {
  return (n + TPACKET_ALIGNMENT - 1) & ~(TPACKET_ALIGNMENT - 1);
}

/** Where the kernel puts a frame's Ethernet header, from its tpacket header, for `reserve`. */
export function frameOffsetInSlot(hdrLen: number, reserve: number, vnetLen = 10): number {
  return tpacketAlign(hdrLen + 16) + reserve + vnetLen - ETH_HLEN;
}
