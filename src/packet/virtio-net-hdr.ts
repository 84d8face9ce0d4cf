// virtio_net_hdr (include/uapi/linux/virtio_net.h): the 10 bytes that a packet socket with
// PACKET_VNET_HDR puts before every frame it hands over or takes. They say whether the frame is a
// GSO super-frame (and how the kernel or the NIC must cut it) and whether its L4 checksum is
// partial (only the pseudo-header sum is in the field; the rest is summed from csum_start on).
// Packet sockets use the host's byte order for these fields (vio_le() on little-endian hosts).

export const VNET_HDR_LEN = 10;

export const enum VnetHdr {
  Flags = 0,
  GsoType = 1,
  HdrLen = 2,
  GsoSize = 4,
  CsumStart = 6,
  CsumOffset = 8,
}

export const enum VnetFlag {
  /** The L4 checksum field holds the pseudo-header sum; sum from CsumStart and store at +CsumOffset. */
  NeedsCsum = 1,
  /** The checksum was verified (received frames only). */
  DataValid = 2,
}

export const enum VnetGso {
  None = 0,
  TcpV4 = 1,
  Udp = 3,
  TcpV6 = 4,
  UdpL4 = 5,
  /** Flag bit: the TCP stream had ECN CWR set (segments keep it on the first only). */
  Ecn = 0x80,
}

/** Offset of the virtio_net_hdr of the frame that starts at `frame`. */
export function vnetHdrOf(frame: number): number {
  return frame - VNET_HDR_LEN;
}

export function vnetFlags(buf: Buffer, hdr: number): number {
  return buf[hdr + VnetHdr.Flags]!;
}

/** GSO type without the ECN bit. */
export function vnetGsoType(buf: Buffer, hdr: number): number {
  return buf[hdr + VnetHdr.GsoType]! & ~VnetGso.Ecn;
}

export function vnetU16(buf: Buffer, hdr: number, field: VnetHdr): number {
  return buf[hdr + field]! | (buf[hdr + field + 1]! << 8);
}

export function setVnetU16(buf: Buffer, hdr: number, field: VnetHdr, v: number): void {
  buf[hdr + field] = v & 0xff;
  buf[hdr + field + 1] = (v >>> 8) & 0xff;
}

/** A plain frame: no GSO, complete checksums. */
export function clearVnetHdr(buf: Buffer, hdr: number): void {
  buf.fill(0, hdr, hdr + VNET_HDR_LEN);
}
