// The parsed fields of the frame being processed. The engine keeps one instance and refills it
// for every frame (nothing is allocated per frame); schedulers and the connection lifecycle read it.

export class FrameFields {
  /** Offset of the Ethernet header (the frame's first byte) in its buffer. */
  eth = 0;
  /** Offset of the IP header. */
  ip = 0;
  /** IP total length (header + payload; of the whole super-frame for GSO). */
  ipLen = 0;
  /** Offset of the L4 header. */
  l4 = 0;
  proto = 0;
  /** IPv4 addresses; for IPv6, the XOR fold of src6/dst6 (what schedulers hash: xorFold). */
  srcAddr = 0;
  dstAddr = 0;
  /** IPv6 addresses, four words each (word 0 the most significant). */
  readonly src6 = new Uint32Array(4);
  readonly dst6 = new Uint32Array(4);
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  /** Current time in ms. */
  now = 0;
  /** GSO segment size (0: not a GSO super-frame), from the frame's virtio_net_hdr. */
  gsoSize = 0;
  /** True when the L4 checksum is partial (only the pseudo-header sum is in the field). */
  partialCsum = false;
}
