// Addresses in ipvsadm's arguments, read as its parse_service and parse_netmask read them:
// host[:port] (names from /etc/hosts) and a dotted-quad persistence mask.
import { isIpv4 } from '../packet/addr.js';
import { hostAddress, servicePort } from './names.js';

export interface AddrPort {
  readonly addr: string;
  readonly port: number | undefined;
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

/** host[:port]; undefined when illegal. */
export function parseServiceAddress(text: string, proto: 'tcp' | 'udp'): AddrPort | undefined {
  if (/^\d+$/.test(text)) return undefined;
  const colon = text.lastIndexOf(':');
  const host = colon >= 0 ? text.slice(0, colon) : text;
  const portText = colon >= 0 ? text.slice(colon + 1) : undefined;
  const addr = isIpv4(host) ? host : hostAddress(host);
  if (!addr) return undefined;
  if (portText === undefined) return { addr, port: undefined };
  const port = portOf(portText, proto);
  return port === undefined ? undefined : { addr, port };
}

/** -M for an IPv4 service: a dotted quad or a name from /etc/hosts. */
export function parseIpv4Netmask(text: string): string | undefined {
  return isIpv4(text) ? text : hostAddress(text);
}
