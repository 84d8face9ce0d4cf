// TCP header view (RFC 9293). Offsets are relative to the start of the TCP header.

export const TCP_MIN_LEN = 20;

export const enum Tcp {
  SrcPort = 0,
  DstPort = 2,
  Seq = 4,
  Ack = 8,
  DataOff = 12,
  Flags = 13,
  Window = 14,
  Csum = 16,
  Urgent = 18,
}

export const enum TcpFlag {
  FIN = 0x01,
  SYN = 0x02,
  RST = 0x04,
  PSH = 0x08,
  ACK = 0x10,
  URG = 0x20,
}
