// The value parsers every keyword uses, and the diagnostics of one reading: errors throw
// ConfigError (the file is refused), warnings and notices are collected with file:line.
import { canonicalIp, familyOf } from './address.js';
import { ConfigError } from './config-error.js';
import type { Diagnostic } from './model.js';
import type { Statement } from './tree.js';

/** A spec under construction: the same fields, writable. */
export type Draft<T> = { -readonly [K in keyof T]: T[K] };

/** keepalived's true/false words (check_true_false). */
const TRUE_WORDS = ['true', 'on', 'yes'];
const FALSE_WORDS = ['false', 'off', 'no'];

const ordinal = (n: number): string => (n === 1 ? 'a value' : `${n} values`);

export class Reader {
  readonly diagnostics: Diagnostic[] = [];

  fail(s: Statement, reason: string): never {
    throw new ConfigError(s.file, s.line, reason);
  }

  /** Something keepalived complains about too; the file is still read. */
  warn(s: Statement, reason: string): void {
    this.diagnostics.push({ kind: 'warning', file: s.file, line: s.line, message: reason });
  }

  /** A warning about a whole block (keepalived reports it where the block closes). */
  warnBlock(s: Statement, reason: string): void {
    this.diagnostics.push({
      kind: 'warning',
      file: s.file,
      line: s.line,
      ...(s.endLine !== undefined ? { endLine: s.endLine } : {}),
      message: reason,
    });
  }

  /** A warning about a spec already read, at its place. */
  warnAt(where: { readonly file: string; readonly line: number }, reason: string): void {
    this.diagnostics.push({ kind: 'warning', file: where.file, line: where.line, message: reason });
  }

  /** Something keepalived accepts and uvs does not act on. */
  notice(s: Statement, reason: string): void {
    this.diagnostics.push({ kind: 'notice', file: s.file, line: s.line, message: reason });
  }

  arg(s: Statement, n = 1): string {
    const v = s.args[n - 1];
    if (v === undefined) this.fail(s, `${s.keyword} needs ${ordinal(n)}`);
    return v;
  }

  /** A whole number in [min, max] (negative allowed when min < 0). */
  int(s: Statement, min: number, max: number, n = 1): number {
    const v = this.arg(s, n);
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max)
      this.fail(s, `${s.keyword}: "${v}" is not a whole number from ${min} to ${max}`);
    return Number(v);
  }

  /** keepalived accepts fractional seconds for timers (to the microsecond). */
  seconds(s: Statement, n = 1): number {
    const v = this.arg(s, n);
    if (!/^\d+(\.\d{1,6})?$/.test(v))
      this.fail(s, `${s.keyword}: "${v}" is not a number of seconds`);
    return Number(v);
  }

  /** An IPv4 or IPv6 address (IPv6 when it holds a ':', as keepalived reads it). */
  ip(s: Statement, n = 1): string {
    return this.address(s, this.arg(s, n));
  }

  /** Checks an address word of `s`. */
  address(s: Statement, text: string): string {
    const ip = canonicalIp(text);
    if (ip === undefined)
      this.fail(s, `${s.keyword}: "${text}" is not an IPv${familyOf(text)} address`);
    return ip;
  }

  port(s: Statement, n = 2): number {
    return this.int(s, 0, 65535, n);
  }

  /** All the arguments, as one string (a script line). */
  rest(s: Statement): string {
    if (s.args.length === 0) this.fail(s, `${s.keyword} needs a value`);
    return s.args.join(' ');
  }

  /** keepalived's optional flag argument: none is true, else true/on/yes or false/off/no. */
  bool(s: Statement, n = 1): boolean {
    const v = s.args[n - 1];
    if (v === undefined || TRUE_WORDS.includes(v)) return true;
    if (FALSE_WORDS.includes(v)) return false;
    return this.fail(s, `${s.keyword}: "${v}" is not true/on/yes or false/off/no`);
  }

  /** One of `choices` (case as written), or an error listing them. */
  oneOf<const T extends string>(s: Statement, choices: readonly T[], n = 1): T {
    const v = this.arg(s, n);
    if (!(choices as readonly string[]).includes(v))
      this.fail(s, `unknown ${s.keyword} "${v}" (expected ${listOf(choices)})`);
    return v as T;
  }

  block(s: Statement): readonly Statement[] {
    if (!s.children) this.fail(s, `${s.keyword} needs a block { … }`);
    return s.children;
  }
}

/** `o` without `keys` (drafts carry working fields the spec does not). */
export function omit<T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

/** "a, b or c". */
export function listOf(words: readonly string[]): string {
  return words.length < 2
    ? words.join('')
    : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]!}`;
}
