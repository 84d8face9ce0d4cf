// virtual_server_group: `ADDRESS [PORT]`, ranges on the last byte (`10.0.0.10-20`) or the
// last IPv6 group (`ae00::2-9`, hex), whole ranges (`10.0.0.10-10.0.1.5`), prefixes
// (`10.0.0.0/30`) and `fwmark N [inet|inet6]`, each address expanded into a member.
import {
  canonicalIp,
  familyOf,
  formatIpv6,
  numberToIpv4,
  ipv4ToNumber,
  parseIpv6,
} from './address.js';
import type { GroupMember } from './model.js';
import type { Reader } from './reader.js';
import type { Statement } from './tree.js';

/** More members than this from one line is a typing mistake, not a service list. */
const MAX_MEMBERS = 65536;

const toBig = (ip: string): bigint =>
  familyOf(ip) === 4
    ? BigInt(ipv4ToNumber(ip))
    : parseIpv6(ip)!.reduce((v, g) => (v << 16n) | BigInt(g), 0n);

function fromBig(v: bigint, family: 4 | 6): string {
  if (family === 4) return numberToIpv4(Number(v));
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  return formatIpv6(groups);
}

/** First and last address of the entry, or a reason it is not one. */
function bounds(text: string): { first: string; last: string } | string {
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const first = canonicalIp(text.slice(0, slash));
    const bits = familyOf(text) === 4 ? 32 : 128;
    const prefix = Number(text.slice(slash + 1));
    if (!first || !/^\d+$/.test(text.slice(slash + 1)) || prefix < 1 || prefix > bits)
      return 'is not an address or range';
    const host = (1n << BigInt(bits - prefix)) - 1n;
    if ((toBig(first) & host) !== 0n) return 'has host bits set';
    return { first, last: fromBig(toBig(first) | host, familyOf(first)) };
  }
  const dash = text.indexOf('-');
  const first = canonicalIp(dash < 0 ? text : text.slice(0, dash));
  if (!first) return 'is not an address or range';
  if (dash < 0) return { first, last: first };
  const end = text.slice(dash + 1);
  const family = familyOf(first);
  if (end.includes(family === 4 ? '.' : ':')) {
    const last = canonicalIp(end);
    return last && familyOf(end) === family ? { first, last } : 'is not an address or range';
  }
  const max = family === 4 ? 255 : 0xffff;
  const n = family === 4 ? (/^\d+$/.test(end) ? Number(end) : NaN) : parseInt(end, 16);
  if (!/^[0-9a-fA-F]+$/.test(end) || !(n <= max)) return 'is not an address or range';
  const base = toBig(first) & ~BigInt(max);
  return { first, last: fromBig(base | BigInt(n), family) };
}

function addressMembers(r: Reader, s: Statement): GroupMember[] {
  const b = bounds(s.keyword);
  if (typeof b === 'string') r.fail(s, `"${s.keyword}" ${b} in virtual_server_group`);
  const port = s.args[0] !== undefined ? r.port(s, 1) : 0;
  const [lo, hi] = [toBig(b.first), toBig(b.last)];
  if (hi < lo || (hi === lo && s.keyword.includes('-')))
    r.fail(s, `bad address range "${s.keyword}"`);
  if (hi - lo >= BigInt(MAX_MEMBERS))
    r.fail(s, `address range "${s.keyword}" holds more than ${MAX_MEMBERS} addresses`);
  const family = familyOf(b.first);
  const out: GroupMember[] = [];
  for (let a = lo; a <= hi; a++) out.push({ kind: 'addr', ip: fromBig(a, family), port });
  return out;
}

export function readGroup(r: Reader, s: Statement): GroupMember[] {
  const out: GroupMember[] = [];
  for (const k of r.block(s)) {
    if (k.children) r.fail(k, `${k.keyword} does not take a block`);
    if (k.keyword === 'fwmark') {
      const family = k.args[1] !== undefined ? r.oneOf(k, ['inet', 'inet6'], 2) : undefined;
      out.push({
        kind: 'fwmark',
        fwmark: r.int(k, 1, 0xffffffff),
        ...(family !== undefined ? { family: family === 'inet6' ? 6 : 4 } : {}),
      });
    } else out.push(...addressMembers(r, k));
  }
  if (out.length === 0) r.warnBlock(s, `virtual_server_group ${r.arg(s)} has no entries`);
  return out;
}
