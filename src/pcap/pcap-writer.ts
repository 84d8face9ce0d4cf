// Writes a classic pcap file, little-endian, version 2.4, as tcpdump on x86 does (so that
// a file read and written again is the same bytes), with microsecond or nanosecond stamps.
import { LinkType } from './capture.js';
import type { ByteSink } from './byte-sink.js';
import type { CaptureWriter, FrameToWrite } from './capture-writer.js';
import {
  DEFAULT_SNAPLEN,
  PCAP_FILE_HEADER_LEN,
  PCAP_MAGIC_NS,
  PCAP_MAGIC_US,
  PCAP_RECORD_HEADER_LEN,
  PcapHeader,
  PcapRecord,
} from './pcap-format.js';

export interface PcapWriterOptions {
  readonly linkType?: number;
  readonly snapLen?: number;
  readonly nanosecond?: boolean;
}

export class PcapWriter implements CaptureWriter {
  private readonly header = Buffer.alloc(PCAP_RECORD_HEADER_LEN);
  private readonly nanos: boolean;
  private readonly snapLen: number;

  constructor(
    private readonly sink: ByteSink,
    opts: PcapWriterOptions = {},
  ) {
    this.nanos = opts.nanosecond ?? false;
    this.snapLen = opts.snapLen ?? DEFAULT_SNAPLEN;
    const h = Buffer.alloc(PCAP_FILE_HEADER_LEN);
    h.writeUInt32LE(this.nanos ? PCAP_MAGIC_NS : PCAP_MAGIC_US, PcapHeader.Magic);
    h.writeUInt16LE(2, PcapHeader.VersionMajor);
    h.writeUInt16LE(4, PcapHeader.VersionMinor);
    h.writeUInt32LE(this.snapLen, PcapHeader.SnapLen);
    h.writeUInt32LE(opts.linkType ?? LinkType.Ethernet, PcapHeader.LinkType);
    sink.write(h);
  }

  write(f: FrameToWrite): void {
    const len = f.len ?? f.data.length;
    const incl = Math.min(len, this.snapLen);
    const h = this.header;
    h.writeUInt32LE(f.tsSec, PcapRecord.TsSec);
    h.writeUInt32LE(this.nanos ? f.tsNsec : Math.floor(f.tsNsec / 1000), PcapRecord.TsFrac);
    h.writeUInt32LE(incl, PcapRecord.InclLen);
    h.writeUInt32LE(Math.max(len, f.origLen ?? 0), PcapRecord.OrigLen);
    this.sink.write(h);
    this.sink.write(f.data.subarray(0, incl));
  }

  close(): void {
    this.sink.close();
  }
}
