// Writes a pcapng file: one section (little-endian), one Interface Description Block per
// interface (name, nanosecond stamps, MAC when known), an Enhanced Packet Block per frame
// with its direction in epb_flags. tshark and Wireshark show which interface each frame
// crossed.
import { LinkType } from './capture.js';
import type { ByteSink } from './byte-sink.js';
import type { CaptureWriter, FrameToWrite } from './capture-writer.js';
import { DEFAULT_SNAPLEN } from './pcap-format.js';
import {
  BLOCK_OVERHEAD,
  BlockType,
  EPB_FLAGS,
  BYTE_ORDER_MAGIC,
  Epb,
  EpbDirection,
  Idb,
  OptionCode,
  pad4,
  Shb,
} from './pcapng-format.js';

export interface PcapngInterface {
  readonly name: string;
  readonly linkType?: number;
  readonly mac?: Buffer;
}

interface Option {
  readonly code: number;
  readonly value: Buffer;
}

function optionsLength(opts: readonly Option[]): number {
  return opts.length === 0 ? 0 : opts.reduce((n, o) => n + 4 + pad4(o.value.length), 4);
}

/** Writes options, then opt_endofopt, at `off`; returns the offset after them. */
function writeOptions(b: Buffer, off: number, opts: readonly Option[]): number {
  if (opts.length === 0) return off;
  for (const o of opts) {
    b.writeUInt16LE(o.code, off);
    b.writeUInt16LE(o.value.length, off + 2);
    o.value.copy(b, off + 4);
    off += 4 + pad4(o.value.length);
  }
  return off + 4; // opt_endofopt: code 0, length 0 (already zero)
}

function block(type: number, bodyLen: number): Buffer {
  const len = BLOCK_OVERHEAD + bodyLen;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  b.writeUInt32LE(len, len - 4);
  return b;
}

export class PcapngWriter implements CaptureWriter {
  private readonly dirOpt = Buffer.alloc(4);
  private readonly ifaceCount: number;

  constructor(
    private readonly sink: ByteSink,
    interfaces: readonly PcapngInterface[],
    application = 'uvs',
  ) {
    const shbOpts = [{ code: OptionCode.ShbUserAppl, value: Buffer.from(application) }];
    const shb = block(BlockType.SectionHeader, Shb.Options - 8 + optionsLength(shbOpts));
    shb.writeUInt32LE(BYTE_ORDER_MAGIC, Shb.ByteOrderMagic);
    shb.writeUInt16LE(1, Shb.VersionMajor);
    shb.writeUInt16LE(0, Shb.VersionMinor);
    shb.writeBigInt64LE(-1n, Shb.SectionLength); // unknown: written as a stream
    writeOptions(shb, Shb.Options, shbOpts);
    sink.write(shb);
    this.ifaceCount = interfaces.length;
    for (const i of interfaces) {
      const opts: Option[] = [
        { code: OptionCode.IfName, value: Buffer.from(i.name) },
        { code: OptionCode.IfTsResol, value: Buffer.from([9]) },
        ...(i.mac ? [{ code: OptionCode.IfMacAddr, value: i.mac }] : []),
      ];
      const idb = block(BlockType.InterfaceDescription, Idb.Options - 8 + optionsLength(opts));
      idb.writeUInt16LE(i.linkType ?? LinkType.Ethernet, Idb.LinkType);
      idb.writeUInt32LE(DEFAULT_SNAPLEN, Idb.SnapLen);
      writeOptions(idb, Idb.Options, opts);
      sink.write(idb);
    }
  }

  write(f: FrameToWrite): void {
    const len = f.len ?? f.data.length;
    const iface = f.iface ?? 0;
    if (iface >= this.ifaceCount)
      throw new RangeError(
        `frame on interface ${iface}, but only ${this.ifaceCount} were described`,
      );
    const opts: Option[] = [];
    if (f.direction) {
      this.dirOpt.writeUInt32LE(
        f.direction === 'in' ? EpbDirection.Inbound : EpbDirection.Outbound,
      );
      opts.push({ code: EPB_FLAGS, value: this.dirOpt });
    }
    const b = block(BlockType.EnhancedPacket, Epb.Data - 8 + pad4(len) + optionsLength(opts));
    const ts = BigInt(f.tsSec) * 1_000_000_000n + BigInt(f.tsNsec);
    b.writeUInt32LE(iface, Epb.Interface);
    b.writeUInt32LE(Number(ts >> 32n), Epb.TsHigh);
    b.writeUInt32LE(Number(ts & 0xffffffffn), Epb.TsLow);
    b.writeUInt32LE(len, Epb.CapLen);
    b.writeUInt32LE(Math.max(len, f.origLen ?? 0), Epb.OrigLen);
    f.data.copy(b, Epb.Data, 0, len);
    writeOptions(b, Epb.Data + pad4(len), opts);
    this.sink.write(b);
  }

  close(): void {
    this.sink.close();
  }
}
