// Reads a pcapng file: every section, its interfaces (name, link type, snapshot length,
// timestamp resolution and offset, MAC) and its packets from Enhanced, Simple and obsolete
// Packet Blocks. Other blocks are skipped. Interfaces are numbered across sections.
import {
  CaptureFormatError,
  type Capture,
  type CaptureInterface,
  type CaptureRecord,
  type Direction,
} from './capture.js';
import { DEFAULT_SNAPLEN } from './pcap-format.js';
import {
  BLOCK_OVERHEAD,
  BlockType,
  EPB_FLAGS,
  BYTE_ORDER_MAGIC,
  EpbDirection,
  Epb,
  Idb,
  ObsoletePb,
  OptionCode,
  pad4,
  Shb,
  Spb,
} from './pcapng-format.js';

export function isPcapng(buf: Buffer): boolean {
  return buf.length >= 4 && buf.readUInt32BE(0) === BlockType.SectionHeader;
}

interface IfaceState extends CaptureInterface {
  /** Timestamp units per second (if_tsresol), and seconds added (if_tsoffset). */
  readonly unitsPerSec: bigint;
  readonly offsetSec: bigint;
}

/** One option of a block: its code and a view of its value. */
interface BlockOption {
  readonly code: number;
  readonly value: Buffer;
}

class Reader {
  private le = true;
  /** Interfaces of the current section, and where they start in the global list. */
  private sectionIfaces: IfaceState[] = [];
  private sectionBase = 0;
  readonly interfaces: IfaceState[] = [];
  readonly records: CaptureRecord[] = [];
  private block = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly file: string,
  ) {}

  private u32(o: number): number {
    return this.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }
  private u16(o: number): number {
    return this.le ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o);
  }

  /** An error about the block at `off`, named by the record it would have been. */
  private fail(off: number, problem: string): never {
    throw new CaptureFormatError(
      this.file,
      this.records.length + 1,
      off,
      `block ${this.block}: ${problem}`,
    );
  }

  read(): Capture {
    let off = 0;
    const buf = this.buf;
    while (off < buf.length) {
      this.block++;
      if (off + BLOCK_OVERHEAD > buf.length)
        this.fail(off, `block header cut short: ${buf.length - off} bytes left`);
      const type =
        buf.readUInt32BE(off) === BlockType.SectionHeader ? BlockType.SectionHeader : this.u32(off);
      if (type === BlockType.SectionHeader) this.startSection(off);
      const len = this.u32(off + 4);
      if (len < BLOCK_OVERHEAD || len % 4 !== 0)
        this.fail(off, `block length ${len} is not a multiple of 4 of at least 12`);
      if (off + len > buf.length)
        this.fail(
          off,
          `block length ${len} runs past the end of the file (${buf.length - off} bytes left)`,
        );
      if (this.u32(off + len - 4) !== len)
        this.fail(
          off,
          `trailing length ${this.u32(off + len - 4)} differs from the leading ${len}`,
        );
      this.readBlock(type, off, len);
      off += len;
    }
    if (this.interfaces.length === 0 && this.records.length === 0 && this.block === 0)
      throw new CaptureFormatError(this.file, undefined, 0, 'empty file');
    return { format: 'pcapng', interfaces: this.interfaces, records: this.records };
  }

  private startSection(off: number): void {
    if (off + Shb.Options > this.buf.length) this.fail(off, 'section header cut short');
    const bom = this.buf.readUInt32LE(off + Shb.ByteOrderMagic);
    if (bom === BYTE_ORDER_MAGIC) this.le = true;
    else if (this.buf.readUInt32BE(off + Shb.ByteOrderMagic) === BYTE_ORDER_MAGIC) this.le = false;
    else
      this.fail(off, `section header byte-order magic 0x${bom.toString(16)} (expected 0x1a2b3c4d)`);
    const major = this.u16(off + Shb.VersionMajor);
    if (major !== 1)
      this.fail(off, `pcapng version ${major}.${this.u16(off + Shb.VersionMinor)} (expected 1.0)`);
    this.sectionIfaces = [];
    this.sectionBase = this.interfaces.length;
  }

  private readBlock(type: number, off: number, len: number): void {
    switch (type) {
      case BlockType.SectionHeader:
        return;
      case BlockType.InterfaceDescription:
        return this.readInterface(off, len);
      case BlockType.EnhancedPacket:
        return this.readEnhanced(off, len);
      case BlockType.SimplePacket:
        return this.readSimple(off, len);
      case BlockType.ObsoletePacket:
        return this.readObsolete(off, len);
      default:
        return; // name resolution, statistics, secrets, custom: not needed to replay frames
    }
  }

  private options(off: number, end: number): BlockOption[] {
    const out: BlockOption[] = [];
    while (off + 4 <= end) {
      const code = this.u16(off);
      const len = this.u16(off + 2);
      if (code === OptionCode.EndOfOptions) break;
      if (off + 4 + len > end) this.fail(off, `option ${code} of ${len} bytes runs past its block`);
      out.push({ code, value: this.buf.subarray(off + 4, off + 4 + len) });
      off += 4 + pad4(len);
    }
    return out;
  }

  private readInterface(off: number, len: number): void {
    if (len < Idb.Options + 4) this.fail(off, `interface description block of ${len} bytes`);
    let name: string | undefined;
    let mac: Buffer | undefined;
    let unitsPerSec = 1_000_000n;
    let offsetSec = 0n;
    for (const o of this.options(off + Idb.Options, off + len - 4)) {
      if (o.code === OptionCode.IfName) name = o.value.toString('utf8');
      else if (o.code === OptionCode.IfMacAddr && o.value.length === 6) mac = Buffer.from(o.value);
      else if (o.code === OptionCode.IfTsResol && o.value.length >= 1) {
        const r = o.value[0]!;
        const exp = BigInt(r & 0x7f);
        unitsPerSec = r & 0x80 ? 1n << exp : 10n ** exp;
      } else if (o.code === OptionCode.IfTsOffset && o.value.length === 8)
        offsetSec = this.le ? o.value.readBigInt64LE(0) : o.value.readBigInt64BE(0);
    }
    const iface: IfaceState = {
      linkType: this.u16(off + Idb.LinkType),
      name,
      snapLen: this.u32(off + Idb.SnapLen) || DEFAULT_SNAPLEN,
      mac,
      unitsPerSec,
      offsetSec,
    };
    this.sectionIfaces.push(iface);
    this.interfaces.push(iface);
  }

  private iface(off: number, id: number): IfaceState {
    const iface = this.sectionIfaces[id];
    if (!iface)
      this.fail(
        off,
        `packet of interface ${id}, but the section describes ${this.sectionIfaces.length} interface(s)`,
      );
    return iface;
  }

  private push(
    off: number,
    ifaceId: number,
    ts: bigint,
    data: Buffer,
    origLen: number,
    direction: Direction,
  ): void {
    const iface = this.iface(off, ifaceId);
    const sec = ts / iface.unitsPerSec + iface.offsetSec;
    const frac = ts % iface.unitsPerSec;
    this.records.push({
      number: this.records.length + 1,
      iface: this.sectionBase + ifaceId,
      tsSec: Number(sec),
      tsNsec: Number((frac * 1_000_000_000n) / iface.unitsPerSec),
      data,
      origLen: Math.max(origLen, data.length),
      direction,
    });
  }

  private packetData(off: number, len: number, dataAt: number, capLen: number): Buffer {
    const start = off + dataAt;
    if (start + capLen > off + len - 4)
      this.fail(
        off,
        `captured length ${capLen} exceeds the block (${off + len - 4 - start} bytes of data)`,
      );
    return this.buf.subarray(start, start + capLen);
  }

  private readEnhanced(off: number, len: number): void {
    if (len < Epb.Data + 4) this.fail(off, `enhanced packet block of ${len} bytes`);
    const capLen = this.u32(off + Epb.CapLen);
    const data = this.packetData(off, len, Epb.Data, capLen);
    let direction: Direction;
    const optStart = off + Epb.Data + pad4(capLen);
    for (const o of this.options(optStart, off + len - 4)) {
      if (o.code === EPB_FLAGS && o.value.length === 4) {
        const d = (this.le ? o.value.readUInt32LE(0) : o.value.readUInt32BE(0)) & 3;
        direction =
          d === EpbDirection.Inbound ? 'in' : d === EpbDirection.Outbound ? 'out' : undefined;
      }
    }
    const ts = (BigInt(this.u32(off + Epb.TsHigh)) << 32n) | BigInt(this.u32(off + Epb.TsLow));
    this.push(off, this.u32(off + Epb.Interface), ts, data, this.u32(off + Epb.OrigLen), direction);
  }

  private readSimple(off: number, len: number): void {
    if (len < Spb.Data + 4) this.fail(off, `simple packet block of ${len} bytes`);
    const iface = this.iface(off, 0);
    const origLen = this.u32(off + Spb.OrigLen);
    // An SPB has no captured length: the smaller of the frame and the snapshot length.
    const capLen = Math.min(origLen, iface.snapLen, len - Spb.Data - 4);
    const data = this.packetData(off, len, Spb.Data, capLen);
    // Nor a timestamp: 0, as Wireshark shows it.
    this.push(off, 0, 0n, data, origLen, undefined);
  }

  private readObsolete(off: number, len: number): void {
    if (len < ObsoletePb.Data + 4) this.fail(off, `packet block of ${len} bytes`);
    const capLen = this.u32(off + ObsoletePb.CapLen);
    const data = this.packetData(off, len, ObsoletePb.Data, capLen);
    const ts =
      (BigInt(this.u32(off + ObsoletePb.TsHigh)) << 32n) | BigInt(this.u32(off + ObsoletePb.TsLow));
    this.push(
      off,
      this.u16(off + ObsoletePb.Interface),
      ts,
      data,
      this.u32(off + ObsoletePb.OrigLen),
      undefined,
    );
  }
}

export function readPcapng(buf: Buffer, file: string): Capture {
  return new Reader(buf, file).read();
}
