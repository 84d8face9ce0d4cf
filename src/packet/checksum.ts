// Internet checksum (RFC 1071) and its incremental update (RFC 1624, eqn. 3:
// HC' = ~(~HC + ~m + m')). All sums are one's complement over 16-bit big-endian words.

/** One's-complement sum (not folded to 16 bits beyond carries) of `len` bytes at `off`. */
export function sum16(buf: Buffer, off: number, len: number, initial = 0): number {
  let sum = initial;
  const end = off + (len & ~1);
  for (let i = off; i < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (len & 1) sum += buf[off + len - 1]! << 8;
  return sum;
}

export function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum field value for the bytes summed in `sum`. */
export function finish(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** Sum of the IPv4 pseudo-header used by TCP and UDP. */
export function pseudoHeaderSum(src: number, dst: number, proto: number, l4len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + l4len;
}

/** Checksum after a 16-bit word of the covered data changed from `oldWord` to `newWord`. */
export function csumReplace16(csum: number, oldWord: number, newWord: number): number {
  const sum = (~csum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return ~fold(sum) & 0xffff;
}

/** Checksum after a 32-bit field (an address) changed from `oldVal` to `newVal`. */
export function csumReplace32(csum: number, oldVal: number, newVal: number): number {
  const sum =
    (~csum & 0xffff) +
    (~(oldVal >>> 16) & 0xffff) +
    (~oldVal & 0xffff) +
    ((newVal >>> 16) & 0xffff) +
    (newVal & 0xffff);
  return ~fold(sum) & 0xffff;
}

export function readU16(buf: Buffer, off: number): number {
  return (buf[off]! << 8) | buf[off + 1]!;
}

export function writeU16(buf: Buffer, off: number, v: number): void {
  buf[off] = (v >>> 8) & 0xff;
  buf[off + 1] = v & 0xff;
}

/**
 * A partial checksum field (CHECKSUM_PARTIAL: it holds the folded pseudo-header sum, not its
 * complement) after a pseudo-header address changed from `oldVal` to `newVal`: plain one's
 * complement arithmetic, as IPVS's tcp_partial_csum_update does. Ports are summed later, by
 * whoever completes the checksum, so a port change needs no update.
 */
export function partialReplace32(field: number, oldVal: number, newVal: number): number {
  return fold(
    field +
      (~(oldVal >>> 16) & 0xffff) +
      (~oldVal & 0xffff) +
      ((newVal >>> 16) & 0xffff) +
      (newVal & 0xffff),
  );
}

/** A partial checksum field after the pseudo-header's L4 length changed. */
export function partialReplace16(field: number, oldVal: number, newVal: number): number {
  return fold(field + (~oldVal & 0xffff) + (newVal & 0xffff));
}
