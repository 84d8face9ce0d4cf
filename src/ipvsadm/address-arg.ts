// Addresses in ipvsadm's arguments, read as its parse_service and parse_netmask read them:
// host[:port] for IPv4 (names from /etc/hosts), [addr]:port or a bare address for IPv6, a
// dotted-quad mask for IPv4 persistence and a prefix length for IPv6.
import { formatIpv6, isIpv4, IPV6_ALEN, parseIpv6Into } from '../packet/addr.js';
import { hostAddress, servicePort } from './names.js';

export interface AddrPort {
  /** Dotted quad, or the canonical IPv6 text (as inet_ntop prints it). */
  readonly addr: string;
  readonly port: number | undefined;
  readonly family: 4 | 6;
}

/** A decimal number in [min, max] (ipvsadm's string_to_number), or undefined. */
export function toNumber(s: string, min: number, max: number): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= min && n <= max ? n : undefined;
}

function portOf(text: string, proto: 'tcp' | 'udp'): number | undefined {
  return toNumber(text, 0, 65535) ?? servicePort(text, proto);
}

const v6 = Buffer.alloc(IPV6_ALEN);

/**
 * host[:port], [IPv6]:port or a bare IPv6 address; undefined when illegal. As parse_service:
 * a bracketed address must be followed by ":port"; a bare IPv6 address has no port (so
 * "2001:db8::1:80" is an address); brackets around a non-IPv6 host drop its port.
 */
export function parseServiceAddress(text: string, proto: 'tcp' | 'udp'): AddrPort | undefined {
  if (/^\d+$/.test(text)) return undefined;
  let host = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  }
  if (parseIpv6Into(host, v6)) {
    if (portText === undefined) return { addr: formatIpv6(v6), port: undefined, family: 6 };
    const port = portOf(portText, proto);
    return port === undefined ? undefined : { addr: formatIpv6(v6), port, family: 6 };
  }
  const colon = host.lastIndexOf(':');
  portText = colon >= 0 ? host.slice(colon + 1) : undefined;
  if (colon >= 0) host = host.slice(0, colon);
  const addr = isIpv4(host) ? host : hostAddress(host);
  if (!addr) return undefined;
  if (portText === undefined) return { addr, port: undefined, family: 4 };
  const port = portOf(portText, proto);
  return port === undefined ? undefined : { addr, port, family: 4 };
}

/** -M for an IPv4 service: a dotted quad or a name from /etc/hosts. */
export function parseIpv4Netmask(text: string): string | undefined {
  return isIpv4(text) ? text : hostAddress(text);
}

/**
 * -M for an IPv6 service: a prefix length from 1 to 128, read with atoi() as ipvsadm does
 * (leading blanks and sign, digits up to the first non-digit; no digits is 0).
 */
export function parseIpv6PrefixLen(text: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  const n = m ? Number(m[1]) : 0;
  return n >= 1 && n <= 128 ? n : undefined;
}
