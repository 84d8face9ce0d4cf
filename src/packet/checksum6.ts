// Checksums of upper-layer packets carried by IPv6 (RFC 8200 section 8.1): the IPv6
// pseudo-header (source, destination, 32-bit upper-layer length, next header), full and
// incremental (RFC 1624 eqn. 3 over a 128-bit address), and the partial form that
// CHECKSUM_PARTIAL frames carry (see partialReplace16 in checksum.ts).
import { finish, fold, readU16, sum16, writeU16 } from './checksum.js';
import { IPV6_ALEN } from './addr.js';
import { Ipv6, NextHeader } from './ipv6.js';

/** Offset of the checksum field in the TCP, UDP or ICMPv6 header; -1 for other protocols. */
export function l4CsumOffset6(proto: number): number {
  switch (proto) {
    case NextHeader.TCP:
      return 16;
    case NextHeader.UDP:
      return 6;
    case NextHeader.ICMPv6:
      return 2;
    default:
      return -1;
  }
}

/** Unfolded sum of the IPv6 pseudo-header of the packet whose IPv6 header is at `ip`. */
export function pseudoHeaderSum6(buf: Buffer, ip: number, l4Len: number, proto: number): number {
  return sum16(buf, ip + Ipv6.Src, 2 * IPV6_ALEN) + (l4Len >>> 16) + (l4Len & 0xffff) + proto;
}

/**
 * Recomputes the checksum of the TCP, UDP or ICMPv6 packet at `l4` (`l4Len` bytes) and stores
 * it; a UDP result of 0 is sent as 0xffff (0 would mean "no checksum", illegal over IPv6).
 */
export function setL4Checksum6(
  buf: Buffer,
  ip: number,
  l4: number,
  l4Len: number,
  proto: number,
): void {
  const field = l4 + l4CsumOffset6(proto);
  writeU16(buf, field, 0);
  let csum = finish(sum16(buf, l4, l4Len, pseudoHeaderSum6(buf, ip, l4Len, proto)));
  if (proto === NextHeader.UDP && csum === 0) csum = 0xffff;
  writeU16(buf, field, csum);
}

/** True when the checksum of the upper-layer packet at `l4` verifies under the pseudo-header. */
export function l4ChecksumOk6(
  buf: Buffer,
  ip: number,
  l4: number,
  l4Len: number,
  proto: number,
): boolean {
  return finish(sum16(buf, l4, l4Len, pseudoHeaderSum6(buf, ip, l4Len, proto))) === 0;
}

/** Sum of the eight 16-bit words at `off`, complemented one by one (the "−m" of RFC 1624). */
function sumComplement128(buf: Buffer, off: number): number {
  let s = 0;
  for (let i = 0; i < IPV6_ALEN; i += 2) s += ~readU16(buf, off + i) & 0xffff;
  return s;
}

/** Sum of the eight 16-bit words of four uint32 words, complemented (or not) one by one. */
function sumWords128(words: Uint32Array, wOff: number, complement: boolean): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    const w = words[wOff + i]!;
    s += complement ? (~(w >>> 16) & 0xffff) + (~w & 0xffff) : (w >>> 16) + (w & 0xffff);
  }
  return s;
}

/** RFC 1624: the checksum after the 16 bytes at `oldBuf[oldOff]` became those at `newBuf[newOff]`. */
export function csumReplace128(
  csum: number,
  oldBuf: Buffer,
  oldOff: number,
  newBuf: Buffer,
  newOff: number,
): number {
  const sum =
    (~csum & 0xffff) + sumComplement128(oldBuf, oldOff) + sum16(newBuf, newOff, IPV6_ALEN);
  return ~fold(sum) & 0xffff;
}

/** RFC 1624 for an address change given as four uint32 words each (as tables keep them). */
export function csumReplace128Words(
  csum: number,
  oldWords: Uint32Array,
  oldOff: number,
  newWords: Uint32Array,
  newOff: number,
): number {
  const sum =
    (~csum & 0xffff) + sumWords128(oldWords, oldOff, true) + sumWords128(newWords, newOff, false);
  return ~fold(sum) & 0xffff;
}

/** The field a sender leaves in a CHECKSUM_PARTIAL TCP/UDP packet over IPv6: the folded pseudo-header sum. */
export function partialPseudoHeader6(
  buf: Buffer,
  ip: number,
  l4Len: number,
  proto: number,
): number {
  return fold(pseudoHeaderSum6(buf, ip, l4Len, proto));
}

/** Partial-checksum field after a 128-bit pseudo-header address changed (no complement, no ports). */
export function partialReplace128(
  field: number,
  oldBuf: Buffer,
  oldOff: number,
  newBuf: Buffer,
  newOff: number,
): number {
  return fold(field + sumComplement128(oldBuf, oldOff) + sum16(newBuf, newOff, IPV6_ALEN));
}

/** Partial-checksum field after an address change given as four uint32 words each. */
export function partialReplace128Words(
  field: number,
  oldWords: Uint32Array,
  oldOff: number,
  newWords: Uint32Array,
  newOff: number,
): number {
  return fold(field + sumWords128(oldWords, oldOff, true) + sumWords128(newWords, newOff, false));
}
