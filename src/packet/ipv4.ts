// IPv4 header view (RFC 791). Offsets are relative to the start of the IP header.
import { finish, readU16, sum16, writeU16 } from './checksum.js';

export const IPV4_MIN_LEN = 20;

export const enum Ipv4 {
  VerIhl = 0,
  Tos = 1,
  TotalLen = 2,
  Id = 4,
  FragOff = 6,
  Ttl = 8,
  Proto = 9,
  Csum = 10,
  Src = 12,
  Dst = 16,
}

export const enum IpProto {
  ICMP = 1,
  IPIP = 4,
  TCP = 6,
  UDP = 17,
}

/** Flags and fragment offset field. */
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFMASK = 0x1fff;

/**
 * Length of the IPv4 header at `off`, or undefined when the buffer is too short, the version
 * is not 4 or the IHL is below 5 words.
 */
export function ipv4HeaderLen(buf: Buffer, off: number, end: number): number | undefined {
  if (end < off + IPV4_MIN_LEN) return undefined;
  const verIhl = buf[off + Ipv4.VerIhl]!;
  if (verIhl >> 4 !== 4) return undefined;
  const ihl = (verIhl & 0x0f) * 4;
  return ihl >= IPV4_MIN_LEN && end >= off + ihl ? ihl : undefined;
}

/** True for any fragment (first with MF, or any with a non-zero offset). */
export function ipv4IsFragment(buf: Buffer, off: number): boolean {
  return (readU16(buf, off + Ipv4.FragOff) & (IP_MF | IP_OFFMASK)) !== 0;
}

/** Recomputes the header checksum in full. */
export function ipv4SetChecksum(buf: Buffer, off: number): void {
  const ihl = (buf[off + Ipv4.VerIhl]! & 0x0f) * 4;
  writeU16(buf, off + Ipv4.Csum, 0);
  writeU16(buf, off + Ipv4.Csum, finish(sum16(buf, off, ihl)));
}

/** True when the header checksum verifies. */
export function ipv4ChecksumOk(buf: Buffer, off: number): boolean {
  const ihl = (buf[off + Ipv4.VerIhl]! & 0x0f) * 4;
  return finish(sum16(buf, off, ihl)) === 0;
}
