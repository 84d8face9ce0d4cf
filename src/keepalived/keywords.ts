// Keyword tables, as keepalived's own install_keyword: each keyword of a block with its
// arity, whether it opens a block, the older names keepalived still reads, and what it does
// to the draft being built. Unknown keywords, arity and block errors come from the table.
import type { Reader } from './reader.js';
import type { Statement } from './tree.js';

export interface Keyword<D> {
  /** Words after the keyword: at least `min` (an error), at most `max` (a warning). */
  readonly args?: readonly [min: number, max: number];
  /** `block`: needs `{ … }`; `line` (default): must not have one; `any`: either. */
  readonly form?: 'line' | 'block' | 'any';
  /** Older names keepalived still reads for the same keyword. */
  readonly aliases?: readonly string[];
  /** keepalived's own deprecation message for it, given as a warning. */
  readonly deprecated?: string;
  readonly apply: (draft: D, s: Statement, r: Reader) => void;
}

export type KeywordTable<D> = ReadonlyMap<string, Keyword<D>>;

/** The table, each alias pointing at its keyword. */
export function keywordTable<D>(entries: Readonly<Record<string, Keyword<D>>>): KeywordTable<D> {
  const map = new Map<string, Keyword<D>>();
  for (const [name, kw] of Object.entries(entries)) {
    map.set(name, kw);
    for (const alias of kw.aliases ?? []) map.set(alias, kw);
  }
  return map;
}

function checkShape<D>(r: Reader, kw: Keyword<D>, s: Statement): void {
  const form = kw.form ?? 'line';
  if (form === 'block' && !s.children) r.fail(s, `${s.keyword} needs a block { … }`);
  if (form === 'line' && s.children) r.fail(s, `${s.keyword} does not take a block`);
  const [min, max] = kw.args ?? [0, Infinity];
  if (s.args.length < min)
    r.fail(s, `${s.keyword} needs ${min === 1 ? 'a value' : `${min} values`}`);
  if (s.args.length > max)
    r.warn(s, `${s.keyword}: extra words "${s.args.slice(max).join(' ')}" ignored`);
}

/**
 * Applies each statement of a block to the draft through the table. `inside` names the
 * block for "unknown keyword … in X" (empty at the top level); `unknown` may claim
 * statements the table does not name (return true when it did).
 */
export function readBlock<D>(
  r: Reader,
  table: KeywordTable<D>,
  statements: readonly Statement[],
  draft: D,
  inside: string,
  unknown?: (s: Statement) => boolean,
): void {
  for (const s of statements) {
    const kw = table.get(s.keyword);
    if (!kw) {
      if (unknown?.(s)) continue;
      r.warn(s, `unknown keyword "${s.keyword}"${inside ? ` in ${inside}` : ''}; ignored`);
      continue;
    }
    checkShape(r, kw, s);
    if (kw.deprecated !== undefined) r.warn(s, kw.deprecated);
    kw.apply(draft, s, r);
  }
}

type Parse<T> = (r: Reader, s: Statement) => T;

/** Sets `field` to the parsed value (one word unless `args` says otherwise). */
export function set<D, K extends keyof D>(
  field: K,
  parse: Parse<D[K]>,
  more: Omit<Keyword<D>, 'apply'> = {},
): Keyword<D> {
  return {
    args: [1, 1],
    ...more,
    apply: (d, s, r) => {
      d[field] = parse(r, s);
    },
  };
}

type BooleanKeys<D> = { [K in keyof D]-?: D[K] extends boolean | undefined ? K : never }[keyof D];

/** A flag: alone it is true; keepalived also takes true/on/yes and false/off/no. */
export function flag<D>(field: BooleanKeys<D>, more: Omit<Keyword<D>, 'apply'> = {}): Keyword<D> {
  return {
    args: [0, 1],
    ...more,
    apply: (d, s, r) => {
      (d as Record<BooleanKeys<D>, boolean>)[field] = r.bool(s);
    },
  };
}

/** A keyword that turns a flag off (keepalived's no_accept, preempt…). */
export function unflag<D>(field: BooleanKeys<D>): Keyword<D> {
  return {
    args: [0, 0],
    apply: (d) => {
      (d as Record<BooleanKeys<D>, boolean>)[field] = false;
    },
  };
}

/** A keepalived keyword that uvs reads and does not act on: a notice says so. */
export function unsupported<D>(
  form: Keyword<D>['form'] = 'any',
  why = 'not supported by uvs',
): Keyword<D> {
  return { form, apply: (_d, s, r) => r.notice(s, `${s.keyword} is ${why}; ignored`) };
}

/** A keepalived keyword that has nothing to do with what uvs does (mail, SNMP…): accepted. */
export function accepted<D>(form: Keyword<D>['form'] = 'any'): Keyword<D> {
  return { form, apply: () => undefined };
}
