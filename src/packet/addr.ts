// Address conversions for the edges (configuration, listings). The fast path uses uint32
// IPv4 addresses and 6-byte MAC Buffers; these functions are never called per frame.

export class AddressError extends Error {
  readonly code = 'E_ADDRESS';
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted quad into an unsigned 32-bit number; throws AddressError on bad input. */
export function parseIpv4(text: string): number {
  const m = IPV4_RE.exec(text);
  if (!m) throw new AddressError(`invalid IPv4 address "${text}"`);
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) throw new AddressError(`invalid IPv4 address "${text}"`);
    v = v * 256 + octet;
  }
  return v >>> 0;
}

export function isIpv4(text: string): boolean {
  const m = IPV4_RE.exec(text);
  return m !== null && [m[1], m[2], m[3], m[4]].every((o) => Number(o) <= 255);
}

export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** Netmask of a prefix length, as uint32. */
export function prefixMask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

export function parseMac(text: string): Buffer {
  const parts = text.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) {
    throw new AddressError(`invalid MAC address "${text}"`);
  }
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export function formatMac(buf: Buffer, off = 0): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(buf[off + i]!.toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** Reads a big-endian uint32 IPv4 address at `off`. */
export function readIpv4(buf: Buffer, off: number): number {
  return ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
}

/**
 * The IPv4 address at `off` as a signed 32-bit integer (the same 32 bits as readIpv4's): what
 * the fast path keeps, because a number above 2^31 would be boxed on the heap at every call.
 */
export function readIpv4Bits(buf: Buffer, off: number): number {
  return (buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
}

export function writeIpv4(buf: Buffer, off: number, v: number): void {
  buf[off] = v >>> 24;
  buf[off + 1] = (v >>> 16) & 0xff;
  buf[off + 2] = (v >>> 8) & 0xff;
  buf[off + 3] = v & 0xff;
}

// IPv6 (RFC 4291 text forms). On the fast path an IPv6 address is 16 bytes in the frame, or
// four uint32 words (big-endian order, word 0 the most significant) where a table keeps it.
// Our own parser and printer rather than the ip-address package: packet/ depends on nothing,
// the fast path wants bytes and words rather than objects, and uvsadm must print exactly what
// ipvsadm prints, glibc's inet_ntop form (dotted tails for IPv4-mapped and -compatible
// addresses included); node:net's isIPv6 accepts zone indexes, which inet_pton refuses.

export const IPV6_ALEN = 16;

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Writes the 8 groups of `groups` (text) into `out` at `off`; false on a bad group. */
function writeGroups(groups: readonly string[], out: Buffer, off: number): boolean {
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (!HEX_GROUP.test(g)) return false;
    const v = parseInt(g, 16);
    out[off + 2 * i] = v >>> 8;
    out[off + 2 * i + 1] = v & 0xff;
  }
  return true;
}

/**
 * Parses IPv6 text as inet_pton(AF_INET6) does (hex groups, one "::", an optional dotted-quad
 * tail; no zone index, no brackets) into `out` at `off`. Returns false on bad input.
 */
export function parseIpv6Into(text: string, out: Buffer, off = 0): boolean {
  let head = text;
  let v4: number | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    const tail = text.slice(lastColon + 1);
    if (!isIpv4(tail) || /(^|\.)0\d/.test(tail)) return false;
    v4 = parseIpv4(tail);
    // The dotted quad stands for two groups; keep a placeholder group for the count.
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const parts = head.split('::');
  if (parts.length > 2) return false;
  const left = parts[0] === '' ? [] : parts[0]!.split(':');
  const right = parts.length === 2 ? (parts[1] === '' ? [] : parts[1]!.split(':')) : [];
  const explicit = left.length + right.length;
  if (parts.length === 1 ? explicit !== 8 : explicit > 7) return false;
  out.fill(0, off, off + IPV6_ALEN);
  if (!writeGroups(left, out, off)) return false;
  if (!writeGroups(right, out, off + IPV6_ALEN - 2 * right.length)) return false;
  if (v4 !== undefined) writeIpv4(out, off + 12, v4);
  return true;
}

/** Parses IPv6 text into a new 16-byte Buffer; throws AddressError on bad input. */
export function parseIpv6(text: string): Buffer {
  const out = Buffer.alloc(IPV6_ALEN);
  if (!parseIpv6Into(text, out)) throw new AddressError(`invalid IPv6 address "${text}"`);
  return out;
}

const scratch6 = Buffer.alloc(IPV6_ALEN);

export function isIpv6(text: string): boolean {
  return parseIpv6Into(text, scratch6);
}

/**
 * The text form of the 16 bytes at `off`, as glibc's inet_ntop prints it (and so ipvsadm):
 * lower-case hex without leading zeros, the longest run of two or more zero groups (the first
 * of equal runs) as "::" (RFC 5952 section 4.2), and a dotted-quad tail for IPv4-mapped
 * (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses.
 */
export function formatIpv6(buf: Buffer, off = 0): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((buf[off + 2 * i]! << 8) | buf[off + 2 * i + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) text += ':';
      continue;
    }
    if (i !== 0) text += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      text += formatIpv4(readIpv4(buf, off + 12));
      break;
    }
    text += w[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) text += ':';
  return text;
}

/** The canonical text of an IPv6 address given as text; throws AddressError on bad input. */
export function canonicalIpv6(text: string): string {
  return formatIpv6(parseIpv6(text));
}

/** Reads the IPv6 address at `off` into `out[outOff..outOff+3]` as four uint32 words. */
export function readIpv6Words(buf: Buffer, off: number, out: Uint32Array, outOff = 0): void {
  for (let i = 0; i < 4; i++) out[outOff + i] = readIpv4(buf, off + 4 * i);
}

/** Writes four uint32 words (from `words[wOff]`) as the 16 address bytes at `off`. */
export function writeIpv6Words(buf: Buffer, off: number, words: Uint32Array, wOff = 0): void {
  for (let i = 0; i < 4; i++) writeIpv4(buf, off + 4 * i, words[wOff + i]!);
}

/** Parses IPv6 text into four uint32 words; throws AddressError on bad input. */
export function parseIpv6Words(text: string): Uint32Array {
  const words = new Uint32Array(4);
  readIpv6Words(parseIpv6(text), 0, words);
  return words;
}

export function formatIpv6Words(words: Uint32Array, wOff = 0): string {
  const b = Buffer.alloc(IPV6_ALEN);
  writeIpv6Words(b, 0, words, wOff);
  return formatIpv6(b);
}

export function ipv6Equal(a: Buffer, aOff: number, b: Buffer, bOff: number): boolean {
  for (let i = 0; i < IPV6_ALEN; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

/** Orders two IPv6 addresses as unsigned 128-bit numbers (ipvsadm's sort order). */
export function compareIpv6(a: Buffer, aOff: number, b: Buffer, bOff: number): number {
  for (let i = 0; i < IPV6_ALEN; i++) {
    const d = a[aOff + i]! - b[bOff + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Word `i` (0..3) of the mask of an IPv6 prefix length (0..128), as uint32. */
export function ipv6PrefixMaskWord(prefixLen: number, i: number): number {
  const bits = Math.min(Math.max(prefixLen - 32 * i, 0), 32);
  return prefixMask(bits);
}

/** Keeps the first `prefixLen` bits of the four words at `words[wOff]`, in place. */
export function maskIpv6Words(words: Uint32Array, prefixLen: number, wOff = 0): void {
  for (let i = 0; i < 4; i++)
    words[wOff + i] = (words[wOff + i]! & ipv6PrefixMaskWord(prefixLen, i)) >>> 0;
}

/** The family of an address given as text: 4, 6, or undefined when it is neither. */
export function addressFamily(text: string): 4 | 6 | undefined {
  if (isIpv4(text)) return 4;
  return isIpv6(text) ? 6 : undefined;
}
