// One address line of virtual_ipaddress, virtual_ipaddress_excluded or static_ipaddress, as
// keepalived's alloc_ipaddress reads it: `ADDRESS[/PREFIX] [dev IF] [brd IP|+|-] [scope S]
// [label L] [peer IP] [home] [-nodad] [mngtmpaddr] [noprefixroute] [autojoin] [no_track]
// [preferred_lft N|forever] [use_vmac]`.
import { canonicalIp, familyOf, ipv4ToNumber, numberToIpv4, parsePrefixed } from './address.js';
import type { Reader } from './reader.js';
import type { Statement } from './tree.js';
import type { IpAddressSpec } from './vrrp-model.js';

/** Names of rt_scopes (iproute2); a number 0-255 is taken as well. */
const SCOPES = ['global', 'site', 'link', 'host', 'nowhere'];
const FLAGS = ['home', '-nodad', 'mngtmpaddr', 'noprefixroute', 'autojoin'];
/** Linux's IFNAMSIZ - 1. */
export const MAX_IFNAME = 15;

/** An interface name word of `s`, checked for length; recorded for the host checks. */
export type InterfaceUse = (s: Statement, name: string, what: string) => string;

export function scope(r: Reader, s: Statement, v: string): string {
  if (!SCOPES.includes(v) && !(/^\d+$/.test(v) && Number(v) <= 255))
    r.fail(s, `unknown scope "${v}" (expected ${SCOPES.join(', ')} or a number)`);
  return v;
}

function broadcastOf(ip: string, prefix: number, sign: string): string {
  const host = prefix === 0 ? 0xffffffff : (2 ** (32 - prefix) - 1) >>> 0;
  const a = ipv4ToNumber(ip);
  return numberToIpv4(sign === '+' ? (a | host) >>> 0 : (a & ~host) >>> 0);
}

interface Options {
  /** static_ipaddress: no use_vmac, track_group allowed. */
  readonly isStatic: boolean;
  readonly useInterface: InterfaceUse;
}

type AddressDraft = Omit<{ -readonly [K in keyof IpAddressSpec]: IpAddressSpec[K] }, 'flags'> & {
  flags: string[];
  brd?: string;
};

function option(
  r: Reader,
  s: Statement,
  d: AddressDraft,
  words: readonly string[],
  i: number,
  o: Options,
): number {
  const w = words[i]!;
  const value = (): string => {
    const v = words[i + 1];
    if (v === undefined) r.fail(s, `${w} needs a value for ${s.keyword}`);
    return v;
  };
  if (w === 'dev') d.dev = o.useInterface(s, value(), `ip address ${s.keyword}`);
  else if (w === 'scope') d.scope = scope(r, s, value());
  else if (w === 'brd' || w === 'broadcast') d.brd = value();
  else if (w === 'label') d.label = value();
  else if (w === 'peer') d.peer = r.address(s, value().split('/')[0]!);
  else if (w === 'preferred_lft')
    d.preferredLifetime = value() === 'forever' ? 'forever' : r.int(s, 0, 0xffffffff, i + 2);
  else if (w === 'track_group' && o.isStatic) value();
  else if (FLAGS.includes(w)) {
    d.flags.push(w);
    return i + 1;
  } else if (w === 'no_track') {
    d.noTrack = true;
    return i + 1;
  } else if (w === 'use_vmac' && !o.isStatic) {
    d.useVmac = true;
    return i + 1;
  } else {
    r.warn(s, `unknown option "${w}" for ip address ${s.keyword}; ignored`);
    return i + 1;
  }
  return i + 2;
}

function broadcast(r: Reader, s: Statement, d: AddressDraft): void {
  const brd = d.brd;
  delete d.brd;
  if (brd === undefined) return;
  if (d.family === 6) r.fail(s, `${s.keyword}: an IPv6 address has no broadcast address`);
  if (d.peer !== undefined) {
    r.warn(s, 'cannot specify broadcast and peer addresses - ignoring broadcast address');
    return;
  }
  if (brd === '+' || brd === '-') {
    if (d.prefix > 30)
      r.warn(s, `address prefix length ${d.prefix} too long for broadcast; none set`);
    else d.broadcast = broadcastOf(d.ip, d.prefix, brd);
    return;
  }
  if (familyOf(brd) !== 4 || canonicalIp(brd) === undefined)
    r.fail(s, `${s.keyword}: broadcast "${brd}" is not an IPv4 address`);
  d.broadcast = brd;
}

/** The address line `s` (its keyword is the address, its args the options). */
export function readIpAddress(r: Reader, s: Statement, o: Options): IpAddressSpec {
  if (s.children) r.fail(s, `${s.keyword} does not take a block`);
  const a = parsePrefixed(s.keyword);
  if (!a) r.fail(s, `"${s.keyword}" is not an IPv${familyOf(s.keyword)} address`);
  if (a.prefix < 0) r.fail(s, `"${s.keyword}": bad prefix length`);
  const d: AddressDraft = {
    where: { file: s.file, line: s.line },
    ip: a.ip,
    family: a.family,
    prefix: a.prefix,
    noTrack: false,
    flags: [],
    useVmac: false,
  };
  for (let i = 0; i < s.args.length;) i = option(r, s, d, s.args, i, o);
  if (d.label !== undefined && d.label.length > MAX_IFNAME)
    r.fail(s, `label "${d.label}" is longer than ${MAX_IFNAME} characters`);
  broadcast(r, s, d);
  return Object.freeze({ ...d, flags: Object.freeze(d.flags) });
}
