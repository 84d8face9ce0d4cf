// Addresses as the VRRP layer holds them, one type for both families: an IPv4 address is a
// uint32 number (as everywhere in uvs), an IPv6 address a 128-bit bigint. Both compare with
// `===`, go in a Set by value and order with `>` as RFC 5798 §6.4.3 compares primary addresses
// ("the higher IPvX address wins"), so the state machine needs no family of its own. Adverts
// are about one a second per instance: the conversions here are not on a forwarding path.
import { formatIpv4, formatIpv6, IPV6_ALEN, parseIpv4, parseIpv6 } from '../packet/addr.js';

/** IPv4: uint32; IPv6: bigint. */
export type VrrpAddr = number | bigint;

/** The 16 bytes at `off` as a bigint. */
export function readIpv6Big(buf: Buffer, off: number): bigint {
  return (buf.readBigUInt64BE(off) << 64n) | buf.readBigUInt64BE(off + 8);
}

/** Writes `a` as 16 bytes at `off`. */
export function writeIpv6Big(buf: Buffer, off: number, a: bigint): void {
  buf.writeBigUInt64BE(a >> 64n, off);
  buf.writeBigUInt64BE(a & 0xffffffffffffffffn, off + 8);
}

/** An IPv6 address as text (inet_pton's forms) to a bigint; throws AddressError on bad input. */
export function parseIpv6Big(text: string): bigint {
  return readIpv6Big(parseIpv6(text), 0);
}

/** Either family's text form to its VRRP address (a ':' says IPv6). */
export function parseVrrpAddr(text: string): VrrpAddr {
  return text.includes(':') ? parseIpv6Big(text) : parseIpv4(text);
}

export function formatVrrpAddr(a: VrrpAddr): string {
  if (typeof a === 'number') return formatIpv4(a);
  const b = Buffer.alloc(IPV6_ALEN);
  writeIpv6Big(b, 0, a);
  return formatIpv6(b);
}

/** fe80::/10 (RFC 4291 §2.5.6). */
export function isLinkLocal6(a: VrrpAddr): boolean {
  return typeof a === 'bigint' && a >> 118n === 0x3fan;
}

/** The four uint32 words of an IPv6 address, as the engine's snapshot carries them. */
export function ipv6BigWords(a: bigint): number[] {
  return [96n, 64n, 32n, 0n].map((s) => Number((a >> s) & 0xffffffffn));
}
