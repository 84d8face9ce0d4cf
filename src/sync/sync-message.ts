// IPVS sync messages, version 1, byte for byte as net/netfilter/ipvs/ip_vs_sync.c writes and
// reads them:
//
//   header (struct ip_vs_sync_mesg, 8 bytes)
//     0 reserved = 0 │ 1 syncid │ 2-3 size (whole message) │ 4 nr_conns │ 5 version = 1 │ 6-7 spare = 0
//   then nr_conns entries, each 4-byte aligned, IPv4 (struct ip_vs_sync_v4, 36 bytes) or IPv6
//   (struct ip_vs_sync_v6, 72 bytes) as bit 0 of their type (STYPE_F_INET6) says:
//     0 type (bit 0: IPv6) │ 1 protocol │ 2-3 version (4 bits, 0) + size (12 bits, with options)
//     4-7 flags │ 8-9 state │ 10-11 cport │ 12-13 vport │ 14-15 dport │ 16-19 fwmark
//     20-23 timeout (s) │ IPv4: 24-27 caddr │ 28-31 vaddr │ 32-35 daddr
//                       │ IPv6: 24-39 caddr │ 40-55 vaddr │ 56-71 daddr
//   followed by options: type, length, data — IPVS_OPT_SEQ_DATA (two struct ip_vs_seq),
//   IPVS_OPT_PE_DATA, IPVS_OPT_PE_NAME.
//
// Decoding never throws: a bad message or entry is a counted reason.
import { IPV6_ALEN, readIpv4, writeIpv4 } from '../packet/addr.js';
import { readU16, writeU16 } from '../packet/checksum.js';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  IpvsConnFlag,
  IPVS_BACKUP_MASK,
  IPVS_TCP_STATES,
  type SeqAdjust,
  type SyncConn,
  type SyncConn6,
} from './sync-conn.js';

export const SYNC_PROTO_VER = 1;
export const SYNC_HEADER_LEN = 8;
export const SYNC_V4_LEN = 36;
export const SYNC_V6_LEN = 72;
/** Two struct ip_vs_seq of three u32. */
export const SYNC_SEQ_OPT_LEN = 24;
/** IP_VS_PEDATA_MAXLEN, IP_VS_PENAME_MAXLEN. */
export const PE_DATA_MAXLEN = 255;
export const PE_NAME_MAXLEN = 16;
/** nr_conns is one byte. */
export const MAX_CONNS_PER_MESSAGE = 255;

export const enum SyncHdr {
  Reserved = 0,
  SyncId = 1,
  Size = 2,
  NrConns = 4,
  Version = 5,
  Spare = 6,
}

export const enum SyncEntry {
  Type = 0,
  Protocol = 1,
  VerSize = 2,
  Flags = 4,
  State = 8,
  Cport = 10,
  Vport = 12,
  Dport = 14,
  Fwmark = 16,
  Timeout = 20,
  Caddr = 24,
  Vaddr = 28,
  Daddr = 32,
}

/** Where struct ip_vs_sync_v6 puts its addresses (the fields before them are SyncEntry's). */
export const enum SyncEntry6 {
  Caddr = 24,
  Vaddr = 40,
  Daddr = 56,
}

export const enum SyncOpt {
  SeqData = 1,
  PeData = 2,
  PeName = 3,
  /** IPVS_OPT_F_PARAM (1 << 6) in an option type: optional, skipped when unknown. */
  Param = 0x40,
}

const STYPE_F_INET6 = 1;
const SVER_SHIFT = 12;
const SVER_MASK = 0x0fff;

/** Why a whole message was dropped (as ip_vs_process_message returns). */
export type SyncMessageError =
  | 'short'
  | 'size'
  | 'syncid'
  | 'version0'
  | 'truncated'
  | 'entry-version'
  | 'entry-type'
  | 'options';

/** Why one entry was skipped while the rest of the message was read. */
export type SyncEntrySkip = 'protocol' | 'state' | 'param';

export interface DecodedMessage {
  readonly syncId: number;
  readonly conns: SyncConn[];
  readonly skipped: SyncEntrySkip[];
  /** Set when decoding stopped: the conns before it are good (the kernel applies them too). */
  readonly error?: SyncMessageError;
}

/** Bytes of `c`'s entry, options included, padding excluded. */
export function entryLength(c: SyncConn): number {
  let len = c.family === 6 ? SYNC_V6_LEN : SYNC_V4_LEN;
  if (c.flags & IpvsConnFlag.SeqMask) len += 2 + SYNC_SEQ_OPT_LEN;
  if (c.peData && c.peData.length > 0) {
    len += 2 + c.peData.length;
    if (c.peName) len += 2 + Buffer.byteLength(c.peName);
  }
  return len;
}

function writeSeq(buf: Buffer, off: number, s: SeqAdjust): void {
  buf.writeUInt32BE(s.initSeq >>> 0, off);
  buf.writeUInt32BE(s.delta >>> 0, off + 4);
  buf.writeUInt32BE(s.previousDelta >>> 0, off + 8);
}

function readSeq(buf: Buffer, off: number): SeqAdjust {
  return {
    initSeq: buf.readUInt32BE(off),
    delta: buf.readUInt32BE(off + 4),
    previousDelta: buf.readUInt32BE(off + 8),
  };
}

/** Writes `c`'s entry at `off` (room checked by the caller); returns its length. */
function writeEntry(buf: Buffer, off: number, c: SyncConn): number {
  const len = entryLength(c);
  buf[off + SyncEntry.Type] = c.family === 6 ? STYPE_F_INET6 : 0;
  buf[off + SyncEntry.Protocol] = c.protocol;
  writeU16(buf, off + SyncEntry.VerSize, len & SVER_MASK);
  buf.writeUInt32BE((c.flags & ~IpvsConnFlag.Hashed) >>> 0, off + SyncEntry.Flags);
  writeU16(buf, off + SyncEntry.State, c.state);
  writeU16(buf, off + SyncEntry.Cport, c.cport);
  writeU16(buf, off + SyncEntry.Vport, c.vport);
  writeU16(buf, off + SyncEntry.Dport, c.dport);
  buf.writeUInt32BE(c.fwmark >>> 0, off + SyncEntry.Fwmark);
  buf.writeUInt32BE(c.timeout >>> 0, off + SyncEntry.Timeout);
  let p: number;
  if (c.family === 6) {
    c.caddr.copy(buf, off + SyncEntry6.Caddr, 0, IPV6_ALEN);
    c.vaddr.copy(buf, off + SyncEntry6.Vaddr, 0, IPV6_ALEN);
    c.daddr.copy(buf, off + SyncEntry6.Daddr, 0, IPV6_ALEN);
    p = off + SYNC_V6_LEN;
  } else {
    writeIpv4(buf, off + SyncEntry.Caddr, c.caddr);
    writeIpv4(buf, off + SyncEntry.Vaddr, c.vaddr);
    writeIpv4(buf, off + SyncEntry.Daddr, c.daddr);
    p = off + SYNC_V4_LEN;
  }
  if (c.flags & IpvsConnFlag.SeqMask) {
    const zero = { initSeq: 0, delta: 0, previousDelta: 0 };
    buf[p++] = SyncOpt.SeqData;
    buf[p++] = SYNC_SEQ_OPT_LEN;
    writeSeq(buf, p, c.seq?.in ?? zero);
    writeSeq(buf, p + 12, c.seq?.out ?? zero);
    p += SYNC_SEQ_OPT_LEN;
  }
  if (c.peData && c.peData.length > 0) {
    buf[p++] = SyncOpt.PeData;
    buf[p++] = c.peData.length;
    p += c.peData.copy(buf, p);
    if (c.peName) {
      const name = Buffer.from(c.peName);
      buf[p++] = SyncOpt.PeName;
      buf[p++] = name.length;
      p += name.copy(buf, p);
    }
  }
  return len;
}

function writeHeader(buf: Buffer, syncId: number, size: number, nrConns: number): void {
  buf[SyncHdr.Reserved] = 0;
  buf[SyncHdr.SyncId] = syncId;
  writeU16(buf, SyncHdr.Size, size);
  buf[SyncHdr.NrConns] = nrConns;
  buf[SyncHdr.Version] = SYNC_PROTO_VER;
  writeU16(buf, SyncHdr.Spare, 0);
}

/** Rejects what the wire cannot carry (a programming error of the caller). */
function checkConn(c: SyncConn): void {
  if (c.family === 6) {
    for (const [name, a] of [
      ['caddr', c.caddr],
      ['vaddr', c.vaddr],
      ['daddr', c.daddr],
    ] as const)
      if (a.length !== IPV6_ALEN)
        throw new RangeError(`sync: IPv6 ${name} of ${a.length} bytes (must be ${IPV6_ALEN})`);
  }
  if (c.peData && c.peData.length > PE_DATA_MAXLEN)
    throw new RangeError(
      `sync: persistence engine data of ${c.peData.length} bytes (max ${PE_DATA_MAXLEN})`,
    );
  if (c.peName && Buffer.byteLength(c.peName) > PE_NAME_MAXLEN)
    throw new RangeError(
      `sync: persistence engine name "${c.peName}" longer than ${PE_NAME_MAXLEN}`,
    );
}

/**
 * Packs `conns` into messages of at most `maxlen` bytes (header included), entries padded to
 * 4 bytes, at most 255 entries each, as the master's sync buffers fill. An entry larger than
 * maxlen on its own gets a message of its own, as the kernel sizes such a buffer.
 */
export function encodeMessages(
  conns: readonly SyncConn[],
  syncId: number,
  maxlen: number,
): Buffer[] {
  const out: Buffer[] = [];
  let buf: Buffer | undefined;
  let head = 0;
  let n = 0;
  const flush = (): void => {
    if (!buf) return;
    writeHeader(buf, syncId, head, n);
    out.push(buf.subarray(0, head));
    buf = undefined;
  };
  for (const c of conns) {
    checkConn(c);
    const len = entryLength(c);
    let pad = buf ? (4 - head) & 3 : 0;
    if (buf && (head + pad + len > maxlen || n === MAX_CONNS_PER_MESSAGE)) flush();
    if (!buf) {
      buf = Buffer.alloc(Math.max(maxlen, SYNC_HEADER_LEN + len));
      head = SYNC_HEADER_LEN;
      n = 0;
      pad = 0;
    }
    buf.fill(0, head, head + pad);
    head += pad;
    head += writeEntry(buf, head, c);
    n++;
  }
  flush();
  return out;
}

/** The options of one entry (between `p` and `end`); an error code or what they held. */
function readOptions(
  buf: Buffer,
  p: number,
  end: number,
): { seq?: SyncConn['seq']; peData?: Buffer; peName?: string; skip?: 'param' } | SyncMessageError {
  const out: { seq?: SyncConn['seq']; peData?: Buffer; peName?: string; skip?: 'param' } = {};
  while (p < end) {
    if (p + 2 > end) return 'options';
    const type = buf[p]!;
    const len = buf[p + 1]!;
    p += 2;
    if (len === 0 || p + len > end) return 'options';
    switch (type & ~SyncOpt.Param) {
      case SyncOpt.SeqData:
        if (len !== SYNC_SEQ_OPT_LEN || out.seq) return 'options';
        out.seq = { in: readSeq(buf, p), out: readSeq(buf, p + 12) };
        break;
      case SyncOpt.PeData:
        if (out.peData) return 'options';
        out.peData = Buffer.from(buf.subarray(p, p + len));
        break;
      case SyncOpt.PeName:
        if (len > PE_NAME_MAXLEN || out.peName !== undefined) return 'options';
        out.peName = buf.toString('latin1', p, p + len);
        break;
      default:
        // An unknown mandatory parameter makes the entry unusable; an optional one is skipped.
        if (!(type & SyncOpt.Param)) out.skip = 'param';
    }
    p += len;
  }
  return out;
}

/** The 16 address bytes at `off`, copied out of the datagram. */
function readIpv6(buf: Buffer, off: number): Buffer {
  return Buffer.from(buf.subarray(off, off + IPV6_ALEN));
}

/** One entry at `p` of `size` bytes: the conn, a skip reason, or a message error. */
function readEntry(
  buf: Buffer,
  p: number,
  size: number,
): SyncConn | SyncEntrySkip | SyncMessageError {
  const type = buf[p + SyncEntry.Type]!;
  // The kernel takes bit 0 for IPv6 whatever the other bits; another type is an error.
  const v6 = (type & STYPE_F_INET6) !== 0;
  if (!v6 && type !== 0) return 'entry-type';
  const fixed = v6 ? SYNC_V6_LEN : SYNC_V4_LEN;
  if (size < fixed) return 'truncated';
  const opts = readOptions(buf, p + fixed, p + size);
  if (typeof opts === 'string') return opts;
  if (opts.skip) return opts.skip;
  // Persistence engine data without the engine's name is unusable ("Invalid PE parameters").
  if (opts.peData && opts.peName === undefined) return 'param';
  const flags = (buf.readUInt32BE(p + SyncEntry.Flags) & IPVS_BACKUP_MASK) | IpvsConnFlag.Sync;
  const protocol = buf[p + SyncEntry.Protocol]!;
  const state = readU16(buf, p + SyncEntry.State);
  if (!(flags & IpvsConnFlag.Template)) {
    if (protocol !== IPPROTO_TCP && protocol !== IPPROTO_UDP) return 'protocol';
    if (state >= (protocol === IPPROTO_TCP ? IPVS_TCP_STATES.length : 1)) return 'state';
  }
  const fields = {
    protocol,
    flags,
    state,
    cport: readU16(buf, p + SyncEntry.Cport),
    vport: readU16(buf, p + SyncEntry.Vport),
    dport: readU16(buf, p + SyncEntry.Dport),
    fwmark: buf.readUInt32BE(p + SyncEntry.Fwmark),
    timeout: buf.readUInt32BE(p + SyncEntry.Timeout),
  };
  const options = {
    ...(opts.seq ? { seq: opts.seq } : {}),
    ...(opts.peData ? { peData: opts.peData } : {}),
    ...(opts.peName !== undefined ? { peName: opts.peName } : {}),
  };
  if (v6) {
    const conn: SyncConn6 = {
      family: 6,
      ...fields,
      caddr: readIpv6(buf, p + SyncEntry6.Caddr),
      vaddr: readIpv6(buf, p + SyncEntry6.Vaddr),
      daddr: readIpv6(buf, p + SyncEntry6.Daddr),
      ...options,
    };
    return conn;
  }
  return {
    ...fields,
    caddr: readIpv4(buf, p + SyncEntry.Caddr),
    vaddr: readIpv4(buf, p + SyncEntry.Vaddr),
    daddr: readIpv4(buf, p + SyncEntry.Daddr),
    ...options,
  };
}

/**
 * Reads a received message of `len` bytes. `ourSyncId` 0 accepts every syncid (as the
 * backup with syncid 0 does); otherwise another syncid drops the message.
 */
export function decodeMessage(buf: Buffer, len: number, ourSyncId: number): DecodedMessage {
  const conns: SyncConn[] = [];
  const skipped: SyncEntrySkip[] = [];
  const fail = (error: SyncMessageError, syncId = 0): DecodedMessage => ({
    syncId,
    conns,
    skipped,
    error,
  });
  // The kernel needs the 4 bytes of a version 0 header before anything else.
  if (len < 4 || buf.length < len) return fail('short');
  const syncId = buf[SyncHdr.SyncId]!;
  if (readU16(buf, SyncHdr.Size) !== len) return fail('size', syncId);
  if (ourSyncId !== 0 && syncId !== ourSyncId) return fail('syncid', syncId);
  if (
    len < SYNC_HEADER_LEN ||
    buf[SyncHdr.Version] !== SYNC_PROTO_VER ||
    buf[SyncHdr.Reserved] !== 0 ||
    readU16(buf, SyncHdr.Spare) !== 0
  )
    return fail('version0', syncId);
  let p = SYNC_HEADER_LEN;
  for (let i = 0; i < buf[SyncHdr.NrConns]!; i++) {
    if (p + SYNC_V4_LEN > len) return fail('truncated', syncId);
    const verSize = readU16(buf, p + SyncEntry.VerSize);
    const size = verSize & SVER_MASK;
    if (p + size > len) return fail('truncated', syncId);
    if (verSize >> SVER_SHIFT) return fail('entry-version', syncId);
    const entry = readEntry(buf, p, size);
    if (typeof entry === 'string') {
      if (entry === 'protocol' || entry === 'state' || entry === 'param') skipped.push(entry);
      else return fail(entry, syncId);
    } else {
      conns.push(entry);
    }
    p += (size + 3) & ~3;
  }
  return { syncId, conns, skipped };
}
