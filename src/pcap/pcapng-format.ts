// The pcapng format (draft-ietf-opsawg-pcapng): a sequence of blocks, each
// `type (4) | total length (4) | body | total length (4)`, in sections that each start with
// a Section Header Block giving the byte order. uvs reads SHB, IDB, EPB, SPB and the
// obsolete PB; it skips the others (name resolution, statistics, decryption secrets,
// custom blocks).

export const enum BlockType {
  SectionHeader = 0x0a0d0d0a,
  InterfaceDescription = 0x00000001,
  ObsoletePacket = 0x00000002,
  SimplePacket = 0x00000003,
  EnhancedPacket = 0x00000006,
}

export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Type, length, and the trailing length. */
export const BLOCK_OVERHEAD = 12;

export const enum Shb {
  ByteOrderMagic = 8,
  VersionMajor = 12,
  VersionMinor = 14,
  SectionLength = 16,
  Options = 24,
}

export const enum Idb {
  LinkType = 8,
  SnapLen = 12,
  Options = 16,
}

export const enum Epb {
  Interface = 8,
  TsHigh = 12,
  TsLow = 16,
  CapLen = 20,
  OrigLen = 24,
  Data = 28,
}

export const enum Spb {
  OrigLen = 8,
  Data = 12,
}

export const enum ObsoletePb {
  Interface = 8,
  Drops = 10,
  TsHigh = 12,
  TsLow = 16,
  CapLen = 20,
  OrigLen = 24,
  Data = 28,
}

/** Option codes; their meaning depends on the block (if_name and epb_flags are both 2). */
export const enum OptionCode {
  EndOfOptions = 0,
  Comment = 1,
  IfName = 2,
  ShbUserAppl = 4,
  IfMacAddr = 6,
  IfTsResol = 9,
  IfTsOffset = 14,
}

export const EPB_FLAGS = 2;

/** epb_flags bits 0-1: the frame's direction. */
export const enum EpbDirection {
  Unknown = 0,
  Inbound = 1,
  Outbound = 2,
}

export const pad4 = (n: number): number => (n + 3) & ~3;
