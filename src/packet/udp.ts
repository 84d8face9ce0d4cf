// UDP header view (RFC 768). Offsets are relative to the start of the UDP header.

export const UDP_HLEN = 8;

export const enum Udp {
  SrcPort = 0,
  DstPort = 2,
  Len = 4,
  Csum = 6,
}
