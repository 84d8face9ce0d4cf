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

/** The file header's facts, and readers of its words in the file's byte order. */
interface PcapFile {
  readonly nanos: boolean;
  readonly snapLen: number;
  readonly linkType: number;
  readonly u32: (o: number) => number;
}

function readHeader(buf: Buffer, file: string): PcapFile {
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
  const major = u16(PcapHeader.VersionMajor);
  if (major !== 2)
    throw new CaptureFormatError(
      file,
      undefined,
      PcapHeader.VersionMajor,
      `pcap version ${major}.${u16(PcapHeader.VersionMinor)} (expected 2.4)`,
    );
  return {
    nanos: magic === PCAP_MAGIC_NS,
    snapLen: u32(PcapHeader.SnapLen) || DEFAULT_SNAPLEN,
    // The upper bits of the link type word carry FCS information (draft-ietf-opsawg-pcap §4).
    linkType: u32(PcapHeader.LinkType) & 0x0fffffff,
    u32,
  };
}

/** The record whose header is at `off` (its `number`, from 1), checked against the file. */
function readRecord(
  buf: Buffer,
  file: string,
  h: PcapFile,
  off: number,
  number: number,
): CaptureRecord {
  const fail = (msg: string): never => {
    throw new CaptureFormatError(file, number, off, msg);
  };
  if (off + PCAP_RECORD_HEADER_LEN > buf.length)
    fail(`record header cut short: ${buf.length - off} of 16 bytes`);
  const incl = h.u32(off + PcapRecord.InclLen);
  const orig = h.u32(off + PcapRecord.OrigLen);
  const frac = h.u32(off + PcapRecord.TsFrac);
  if (incl > Math.max(h.snapLen, DEFAULT_SNAPLEN))
    fail(`captured length ${incl} exceeds the snapshot length ${h.snapLen}`);
  if (frac >= (h.nanos ? 1e9 : 1e6)) fail(`timestamp fraction ${frac} is not below one second`);
  const start = off + PCAP_RECORD_HEADER_LEN;
  if (start + incl > buf.length)
    fail(
      `captured length ${incl} runs past the end of the file (${buf.length - start} bytes left)`,
    );
  return {
    number,
    iface: 0,
    tsSec: h.u32(off + PcapRecord.TsSec),
    tsNsec: h.nanos ? frac : frac * 1000,
    data: buf.subarray(start, start + incl),
    origLen: Math.max(orig, incl),
    direction: undefined,
  };
}

export function readPcap(buf: Buffer, file: string): Capture {
  const h = readHeader(buf, file);
  const iface: CaptureInterface = {
    linkType: h.linkType,
    name: undefined,
    snapLen: h.snapLen,
    mac: undefined,
  };
  const records: CaptureRecord[] = [];
  let off = PCAP_FILE_HEADER_LEN;
  while (off < buf.length) {
    const r = readRecord(buf, file, h, off, records.length + 1);
    records.push(r);
    off += PCAP_RECORD_HEADER_LEN + r.data.length;
  }
  return { format: 'pcap', interfaces: [iface], records };
}
