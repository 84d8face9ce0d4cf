// Reads a classic pcap file (either byte order, micro- or nanosecond timestamps).
import {
  CaptureFormatError,
  type Capture,
  type CaptureInterface,
  type CaptureRecord,
} from './capture.js';
import {
  DEFAULT_SNAPLEN,
  PCAP_FILE_HEADER_LEN,
  PCAP_MAGIC_NS,
  PCAP_MAGIC_US,
  PCAP_RECORD_HEADER_LEN,
  PcapHeader,
  PcapRecord,
} from './pcap-format.js';

/** True when `buf` starts with a classic pcap magic number, in either byte order. */
export function isPcap(buf: Buffer): boolean {
  if (buf.length < 4) return false;
  const le = buf.readUInt32LE(0);
  const be = buf.readUInt32BE(0);
  return [le, be].some((m) => m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS);
}

export function readPcap(buf: Buffer, file: string): Capture {
  if (buf.length < PCAP_FILE_HEADER_LEN)
    throw new CaptureFormatError(
      file,
      undefined,
      0,
      `${buf.length} bytes, shorter than the 24-byte pcap header`,
    );
  const magicLe = buf.readUInt32LE(PcapHeader.Magic);
  const le = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS;
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u16 = (o: number): number => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const magic = u32(PcapHeader.Magic);
  if (magic !== PCAP_MAGIC_US && magic !== PCAP_MAGIC_NS)
    throw new CaptureFormatError(
      file,
      undefined,
      0,
      `not a pcap file (magic 0x${buf.readUInt32BE(0).toString(16)})`,
    );
  const nanos = magic === PCAP_MAGIC_NS;
  const major = u16(PcapHeader.VersionMajor);
  if (major !== 2)
    throw new CaptureFormatError(
      file,
      undefined,
      PcapHeader.VersionMajor,
      `pcap version ${major}.${u16(PcapHeader.VersionMinor)} (expected 2.4)`,
    );
  // The upper bits of the link type word carry FCS information (draft-ietf-opsawg-pcap §4).
  const linkType = u32(PcapHeader.LinkType) & 0x0fffffff;
  const snapLen = u32(PcapHeader.SnapLen) || DEFAULT_SNAPLEN;
  const iface: CaptureInterface = { linkType, name: undefined, snapLen, mac: undefined };
  const records: CaptureRecord[] = [];
  let off = PCAP_FILE_HEADER_LEN;
  while (off < buf.length) {
    const number = records.length + 1;
    if (off + PCAP_RECORD_HEADER_LEN > buf.length)
      throw new CaptureFormatError(
        file,
        number,
        off,
        `record header cut short: ${buf.length - off} of 16 bytes`,
      );
    const incl = u32(off + PcapRecord.InclLen);
    const orig = u32(off + PcapRecord.OrigLen);
    const frac = u32(off + PcapRecord.TsFrac);
    if (incl > Math.max(snapLen, DEFAULT_SNAPLEN))
      throw new CaptureFormatError(
        file,
        number,
        off,
        `captured length ${incl} exceeds the snapshot length ${snapLen}`,
      );
    if (frac >= (nanos ? 1e9 : 1e6))
      throw new CaptureFormatError(
        file,
        number,
        off,
        `timestamp fraction ${frac} is not below one second`,
      );
    const start = off + PCAP_RECORD_HEADER_LEN;
    if (start + incl > buf.length)
      throw new CaptureFormatError(
        file,
        number,
        off,
        `captured length ${incl} runs past the end of the file (${buf.length - start} bytes left)`,
      );
    records.push({
      number,
      iface: 0,
      tsSec: u32(off + PcapRecord.TsSec),
      tsNsec: nanos ? frac : frac * 1000,
      data: buf.subarray(start, start + incl),
      origLen: Math.max(orig, incl),
      direction: undefined,
    });
    off = start + incl;
  }
  return { format: 'pcap', interfaces: [iface], records };
}
