// keepalived's line generators: `~SEQ(var, start, step, end) line` (and ~SEQx, in hex, for
// IPv6 addresses) repeats the line with $var from start to end; `~LST(var, a, b, c) line`
// and `~LST({v1, v2}, {a1, a2}, {b1, b2}) line` repeat it for each value (set).
import { ConfigError } from './config-error.js';

export interface SequenceStep {
  /** Definitions to set before the line is read. */
  readonly values: readonly (readonly [name: string, value: string])[];
  readonly line: string;
}

interface Where {
  readonly file: string;
  readonly line: number;
}

/** Repetitions beyond this are a mistake, not a configuration. */
const MAX_STEPS = 65536;

/** C's strtol(s, 0): decimal, 0x hex or 0 octal, with a sign. */
function cNumber(s: string): number | undefined {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\s*$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  const v = /^0[xX]/.test(body)
    ? parseInt(body.slice(2), 16)
    : body.length > 1 && body.startsWith('0')
      ? parseInt(body, 8)
      : Number(body);
  return m[1] === '-' ? -v : v;
}

/** The parenthesised part and what follows it: `~SEQ(…) rest`. */
function splitHead(text: string, skip: number, where: Where): { inner: string; rest: string } {
  const open = text.indexOf('(', skip);
  const close = text.indexOf(')', open);
  if (open < 0 || close < 0 || text.slice(skip, open).trim() !== '')
    throw new ConfigError(where.file, where.line, `invalid ${text.slice(0, 4)} "${text}"`);
  return { inner: text.slice(open + 1, close), rest: text.slice(close + 1).trim() };
}

function seqBounds(nums: number[], text: string, where: Where): [number, number, number] {
  const bad = (): never => {
    throw new ConfigError(where.file, where.line, `invalid ~SEQ values "${text}"`);
  };
  if (nums.length === 1) {
    const end = nums[0]!;
    return [end < 0 ? -1 : 1, end < 1 ? -1 : 1, end];
  }
  if (nums.length === 2) return [nums[0]!, nums[0]! <= nums[1]! ? 1 : -1, nums[1]!];
  if (nums.length !== 3) return bad();
  const [start, step, end] = nums as [number, number, number];
  if (step === 0 || (start < end && step < 0) || (start > end && step > 0)) bad();
  return [start, step, end];
}

function expandSeq(text: string, expand: (s: string) => string, where: Where): SequenceStep[] {
  const hex = text[4] === 'x';
  const { inner, rest } = splitHead(text, hex ? 5 : 4, where);
  const [name, ...params] = expand(inner).split(',');
  const nums = params.map(cNumber);
  if (!name?.trim() || nums.length === 0 || nums.some((n) => n === undefined))
    throw new ConfigError(where.file, where.line, `invalid ~SEQ "${text}"`);
  const [start, step, end] = seqBounds(nums as number[], text, where);
  if (hex && (start < 0 || end < 0))
    throw new ConfigError(where.file, where.line, `~SEQx is only for positive numbers: "${text}"`);
  if (Math.abs((end - start) / step) >= MAX_STEPS)
    throw new ConfigError(where.file, where.line, `~SEQ of more than ${MAX_STEPS} lines`);
  const out: SequenceStep[] = [];
  for (let v = start; step > 0 ? v <= end : v >= end; v += step)
    out.push({ values: [[name.trim(), hex ? v.toString(16) : String(v)]], line: rest });
  return out;
}

/** Top-level comma-separated items, `{…}` kept together. */
function items(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

const group = (item: string): string[] =>
  item.startsWith('{') && item.endsWith('}')
    ? item
        .slice(1, -1)
        .split(',')
        .map((v) => v.trim())
    : [item];

function expandLst(text: string, where: Where): SequenceStep[] {
  const { inner, rest } = splitHead(text, 4, where);
  const [varsItem, ...sets] = items(inner);
  const names = group(varsItem ?? '');
  if (names.some((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) || sets.length === 0)
    throw new ConfigError(where.file, where.line, `invalid ~LST "${text}"`);
  return sets.map((set) => {
    const values = group(set);
    if (values.length > names.length)
      throw new ConfigError(where.file, where.line, `~LST has too many values: "${text}"`);
    return { values: names.map((n, k) => [n, values[k] ?? ''] as const), line: rest };
  });
}

/** The lines a `~SEQ…` or `~LST…` line stands for, in order. */
export function expandSequence(
  text: string,
  expand: (s: string) => string,
  where: Where,
): SequenceStep[] {
  return text.startsWith('~SEQ') ? expandSeq(text, expand, where) : expandLst(text, where);
}
