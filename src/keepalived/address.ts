// Addresses as keepalived.conf writes them: IPv4 or IPv6 (the family told by a ':', as
// keepalived does), `ADDRESS/PREFIX`, and the group ranges of virtual_server_group. The model
// keeps addresses as text, IPv6 in its RFC 5952 form (lowercase, longest zero run as ::).
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

/** The family keepalived reads the text as: IPv6 when it holds a ':'. */
export const familyOf = (text: string): Family => (text.includes(':') ? 6 : 4);

/** Eight 16-bit groups of an IPv6 address (an IPv4 tail allowed), or undefined. */
export function parseIpv6(text: string): number[] | undefined {
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let s = text;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    s = `${s.slice(0, v4.index)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const part = (p: string | undefined): number[] =>
    p ? p.split(':').map((g) => parseInt(g, 16)) : [];
  const h = part(head);
  const t = part(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - h.length - t.length).fill(0);
  return [...h, ...zeros, ...t];
}

/** RFC 5952 text of eight groups. */
export function formatIpv6(groups: readonly number[]): string {
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j > i ? j : i + 1;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** The address in the model's text form, or undefined when it is not one of its family. */
export function canonicalIp(text: string): string | undefined {
  if (familyOf(text) === 4) return isIPv4(text) ? text : undefined;
  const g = parseIpv6(text);
  return g ? formatIpv6(g) : undefined;
}

export interface Prefixed {
  readonly ip: string;
  readonly family: Family;
  readonly prefix: number;
  /** A prefix was written. */
  readonly explicit: boolean;
}

/** `ADDRESS` or `ADDRESS/PREFIX`: undefined when the address is bad, prefix -1 when it is. */
export function parsePrefixed(text: string): Prefixed | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const ip = canonicalIp(addr);
  if (ip === undefined) return undefined;
  const family = familyOf(addr);
  const max = family === 4 ? 32 : 128;
  if (slash < 0) return { ip, family, prefix: max, explicit: false };
  const p = text.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(p) && Number(p) <= max ? Number(p) : -1;
  return { ip, family, prefix, explicit: true };
}

export const ipv4ToNumber = (ip: string): number =>
  ip.split('.').reduce((v, o) => v * 256 + Number(o), 0);

export const numberToIpv4 = (v: number): string =>
  [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff].join('.');

/** Is the IPv4 text a multicast address (224/4)? */
export const isIpv4Multicast = (ip: string): boolean => ipv4ToNumber(ip) >>> 28 === 0xe;

/** Is the IPv6 text a multicast address (ff00::/8)? */
export const isIpv6Multicast = (ip: string): boolean =>
  ((parseIpv6(ip)?.[0] ?? 0) & 0xff00) === 0xff00;

export const isIpv6LinkLocal = (ip: string): boolean =>
  ((parseIpv6(ip)?.[0] ?? 0) & 0xffc0) === 0xfe80;
