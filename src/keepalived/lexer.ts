// keepalived.conf's lexical level: words, quoted strings and braces, with `#` and `!`
// comments, and `include` (with globs) expanded in place, each token keeping its file:line.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface Token {
  readonly text: string;
  readonly file: string;
  readonly line: number;
  /** True for `{` and `}` (not for a quoted "{"). */
  readonly brace: boolean;
  /** First token of its line: keywords start lines. */
  readonly lineStart: boolean;
}

export class ConfigError extends Error {
  readonly code = 'E_CONFIG_SYNTAX';
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

/** Includes deeper than this are a loop. */
const MAX_INCLUDE_DEPTH = 16;

/** Files matching a glob (`*`, `?`, `[…]` in the last path components), sorted. */
export function expandGlob(pattern: string): string[] {
  if (!/[*?[]/.test(pattern)) return [pattern];
  const parts = pattern.split('/');
  let bases = [pattern.startsWith('/') ? '/' : '.'];
  for (const part of parts) {
    if (part === '') continue;
    if (!/[*?[]/.test(part)) {
      bases = bases.map((b) => join(b, part));
      continue;
    }
    const re = new RegExp(
      `^${part
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    bases = bases.flatMap((b) => {
      try {
        return readdirSync(b)
          .filter((n) => re.test(n))
          .sort()
          .map((n) => join(b, n));
      } catch {
        return [];
      }
    });
  }
  return bases.filter((f) => {
    try {
      return statSync(f).isFile();
    } catch {
      return false;
    }
  });
}

function lexText(text: string, file: string, out: Token[], depth: number): void {
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const words: { text: string; brace: boolean }[] = [];
    let i = 0;
    while (i < raw.length) {
      const ch = raw[i]!;
      if (ch === ' ' || ch === '\t' || ch === '\r') {
        i++;
      } else if (ch === '#' || ch === '!') {
        break;
      } else if (ch === '{' || ch === '}') {
        words.push({ text: ch, brace: true });
        i++;
      } else if (ch === '"') {
        const end = raw.indexOf('"', i + 1);
        if (end < 0) throw new ConfigError(file, n + 1, 'unterminated quoted string');
        words.push({ text: raw.slice(i + 1, end), brace: false });
        i = end + 1;
      } else {
        let j = i;
        while (j < raw.length && !' \t\r{}"#!'.includes(raw[j]!)) j++;
        words.push({ text: raw.slice(i, j), brace: false });
        i = j;
      }
    }
    if (words[0]?.text === 'include' && !words[0].brace) {
      if (words.length < 2) throw new ConfigError(file, n + 1, 'include needs a file name');
      if (depth >= MAX_INCLUDE_DEPTH)
        throw new ConfigError(
          file,
          n + 1,
          `include nested more than ${MAX_INCLUDE_DEPTH} deep (a loop?)`,
        );
      for (const w of words.slice(1)) {
        const pattern = isAbsolute(w.text) ? w.text : resolve(dirname(file), w.text);
        const glob = /[*?[]/.test(w.text);
        if (!glob && !existsSync(pattern))
          throw new ConfigError(file, n + 1, `include: no such file "${w.text}"`);
        const files = expandGlob(pattern);
        for (const f of files) lexFile(f, out, depth + 1);
      }
      continue;
    }
    words.forEach((w, k) =>
      out.push({ text: w.text, brace: w.brace, file, line: n + 1, lineStart: k === 0 }),
    );
  }
}

function lexFile(file: string, out: Token[], depth: number): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      file,
      0,
      `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  lexText(text, file, out, depth);
}

/** Tokens of a configuration file, includes expanded. */
export function lexConfig(file: string): Token[] {
  const out: Token[] = [];
  lexFile(file, out, 0);
  return out;
}

/** Tokens of configuration text (tests; includes relative to `file`'s directory). */
export function lexConfigText(text: string, file: string): Token[] {
  const out: Token[] = [];
  lexText(text, file, out, 0);
  return out;
}
