// The small reading helpers of the VRRP configuration reader: arguments, numbers, seconds,
// addresses and item blocks, every error naming file:line.
import { isIpv4, parseIpv4 } from '../packet/addr.js';
import { ConfigError } from '../keepalived/lexer.js';
import type { Statement } from '../keepalived/tree.js';
import type { TrackedItem, VirtualAddress } from './vrrp-spec.js';

export class Ctx {
  readonly warnings: string[] = [];
  fail(s: Statement, why: string): never {
    throw new ConfigError(s.file, s.line, why);
  }
  warn(s: Statement, why: string): void {
    this.warnings.push(`${s.file}:${s.line}: ${why}`);
  }
  arg(s: Statement, n = 1): string {
    const v = s.args[n - 1];
    if (v === undefined) this.fail(s, `${s.keyword} needs ${n === 1 ? 'a value' : `${n} values`}`);
    return v;
  }
  int(s: Statement, min: number, max: number, n = 1): number {
    const v = this.arg(s, n);
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max)
      this.fail(s, `${s.keyword}: "${v}" is not a whole number from ${min} to ${max}`);
    return Number(v);
  }
  /** Seconds (fractions allowed), as milliseconds. */
  ms(s: Statement, n = 1): number {
    const v = this.arg(s, n);
    if (!/^\d+(\.\d+)?$/.test(v)) this.fail(s, `${s.keyword}: "${v}" is not a number of seconds`);
    return Math.round(Number(v) * 1000);
  }
  ip(s: Statement, v: string): number {
    if (!isIpv4(v)) this.fail(s, `${s.keyword}: "${v}" is not an IPv4 address`);
    return parseIpv4(v);
  }
  block(s: Statement): readonly Statement[] {
    if (!s.children) this.fail(s, `${s.keyword} needs a block { … }`);
    return s.children;
  }
  /** A block whose lines are items (virtual_ipaddress, unicast_peer…): each line's words. */
  items(s: Statement): { where: Statement; words: string[] }[] {
    return this.block(s).map((c) => ({ where: c, words: [c.keyword, ...c.args] }));
  }
}

export function readVips(c: Ctx, s: Statement): VirtualAddress[] {
  return c.items(s).map(({ where, words }) => {
    const [addrText, ...rest] = words as [string, ...string[]];
    const m = /^([\d.]+)(?:\/(\d+))?$/.exec(addrText);
    if (!m || !isIpv4(m[1]!))
      c.fail(where, `virtual_ipaddress: "${addrText}" is not an IPv4 address`);
    const prefixLen = m[2] !== undefined ? Number(m[2]) : 32;
    if (prefixLen > 32) c.fail(where, `virtual_ipaddress: bad prefix length in "${addrText}"`);
    let dev: string | undefined;
    for (let i = 0; i < rest.length; i += 2) {
      if (rest[i] === 'dev' && rest[i + 1]) dev = rest[i + 1];
      else if (['label', 'brd', 'scope'].includes(rest[i]!)) continue;
      else c.warn(where, `virtual_ipaddress: "${rest[i]}" is not supported by uvs; ignored`);
    }
    return { addr: parseIpv4(m[1]!), prefixLen, ...(dev ? { dev } : {}), text: addrText };
  });
}

export function readTracked(
  c: Ctx,
  s: Statement,
  defaultWeight: (name: string) => number,
): TrackedItem[] {
  return c.items(s).map(({ where, words }) => {
    const name = words[0]!;
    if (words.length === 1) return { name, weight: defaultWeight(name) };
    if (words[1] !== 'weight' || !/^-?\d+$/.test(words[2] ?? ''))
      c.fail(where, `${s.keyword}: expected "${name} [weight N]"`);
    const weight = Number(words[2]);
    if (weight < -253 || weight > 253)
      c.fail(where, `${s.keyword}: weight ${weight} is out of -253..253`);
    return { name, weight };
  });
}
