// The classic pcap file format (tcpdump.org, "pcap savefile"; draft-ietf-opsawg-pcap): a
// 24-byte file header, then records of a 16-byte header and the captured bytes. Written in
// the byte order of the machine that wrote it; the magic number tells which, and whether
// the timestamps' fraction counts microseconds or nanoseconds.

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

export const enum PcapHeader {
  Magic = 0,
  VersionMajor = 4,
  VersionMinor = 6,
  ThisZone = 8,
  SigFigs = 12,
  SnapLen = 16,
  LinkType = 20,
}

export const enum PcapRecord {
  TsSec = 0,
  TsFrac = 4,
  InclLen = 8,
  OrigLen = 12,
}

/** What tcpdump uses as its default snapshot length, and the largest uvs accepts. */
export const DEFAULT_SNAPLEN = 262144;
