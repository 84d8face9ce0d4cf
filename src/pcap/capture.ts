// A capture file's contents, whatever its format (pcap or pcapng): its interfaces and its
// records. Records are numbered from 1 as Wireshark numbers frames, so that an error or a
// summary line can be found in tshark's listing of the same file.

/** Link-layer types (tcpdump.org's LINKTYPE_ values) that uvs names in messages. */
export const enum LinkType {
  Ethernet = 1,
  Raw = 101,
  LinuxSll = 113,
  LinuxSll2 = 276,
}

export function linkTypeName(t: number): string {
  switch (t) {
    case LinkType.Ethernet:
      return 'Ethernet';
    case LinkType.Raw:
      return 'raw IP';
    case LinkType.LinuxSll:
      return 'Linux cooked (SLL)';
    case LinkType.LinuxSll2:
      return 'Linux cooked v2 (SLL2)';
    default:
      return `link type ${t}`;
  }
}

export interface CaptureInterface {
  readonly linkType: number;
  /** pcapng's if_name; undefined in a classic pcap file. */
  readonly name: string | undefined;
  readonly snapLen: number;
  /** pcapng's if_MACaddr, when the writer recorded it. */
  readonly mac: Buffer | undefined;
}

/** Direction from pcapng's epb_flags; classic pcap does not record it. */
export type Direction = 'in' | 'out' | undefined;

export interface CaptureRecord {
  /** 1-based, as Wireshark and tshark number frames. */
  readonly number: number;
  /** Index into Capture.interfaces. */
  readonly iface: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  /** The captured bytes: a view into the file's buffer, not a copy. */
  readonly data: Buffer;
  /** The frame's length on the wire (more than data.length when the snapshot cut it). */
  readonly origLen: number;
  readonly direction: Direction;
}

export interface Capture {
  readonly format: 'pcap' | 'pcapng';
  readonly interfaces: readonly CaptureInterface[];
  readonly records: readonly CaptureRecord[];
}

/** A capture file that does not read, naming the file, the record (or header) and the byte. */
export class CaptureFormatError extends Error {
  readonly code = 'E_CAPTURE_FORMAT';
  constructor(
    readonly file: string,
    /** The record's number (1-based), or undefined for the file header. */
    readonly record: number | undefined,
    readonly offset: number,
    readonly problem: string,
  ) {
    super(
      `${file}: ${record === undefined ? 'file header' : `record ${record}`} (byte ${offset}): ${problem}`,
    );
    this.name = 'CaptureFormatError';
  }
}

/** Milliseconds since the epoch of a record, as the engine's clock counts. */
export function recordTimeMs(r: Pick<CaptureRecord, 'tsSec' | 'tsNsec'>): number {
  return r.tsSec * 1000 + r.tsNsec / 1e6;
}
