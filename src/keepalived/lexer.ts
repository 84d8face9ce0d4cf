// keepalived.conf's lexical level: each file's lines through the preprocessor (comments,
// conditionals, definitions, sequences), `include` (and keepalived's includer/includem/
// includew/includeb/includea, with globs and {a,b}) expanded in place, then words, quoted
// strings and braces, each token keeping its file:line.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { expandGlob } from './glob.js';
import { Preprocessor, type SourceLine } from './preprocess.js';

export { ConfigError } from './config-error.js';
export { expandGlob } from './glob.js';

export interface Token {
  readonly text: string;
  readonly file: string;
  readonly line: number;
  /** True for `{` and `}` (not for a quoted "{"). */
  readonly brace: boolean;
  /** First token of its line: keywords start lines. */
  readonly lineStart: boolean;
  /** The line the token was read from (after preprocessing) and the token's place in it. */
  readonly src: string;
  readonly start: number;
  readonly end: number;
}

export interface LexOptions {
  /** keepalived's config id (`-i`) for `@ID` lines; default: the host name up to its first dot. */
  readonly configId?: string;
}

/** Includes deeper than this are a loop. */
const MAX_INCLUDE_DEPTH = 16;

/** keepalived's default config id: the host name up to the first dot. */
export function defaultConfigId(): string {
  return hostname().split('.')[0] ?? '';
}

/** Words of one line: `"quoted"` as one word, braces as words of their own. */
function tokenize(l: SourceLine, out: Token[]): void {
  const raw = l.text;
  let i = 0;
  let first = true;
  const push = (text: string, brace: boolean, start: number, end: number): void => {
    out.push({ text, brace, file: l.file, line: l.line, lineStart: first, src: raw, start, end });
    first = false;
  };
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
    } else if (ch === '{' || ch === '}') {
      push(ch, true, i, i + 1);
      i++;
    } else if (ch === '"') {
      const end = raw.indexOf('"', i + 1);
      if (end < 0) throw new ConfigError(l.file, l.line, 'unterminated quoted string');
      push(raw.slice(i + 1, end), false, i, end + 1);
      i = end + 1;
    } else {
      let j = i;
      while (j < raw.length && !' \t\r{}"'.includes(raw[j]!)) j++;
      push(raw.slice(i, j), false, i, j);
      i = j;
    }
  }
}

class Lexer {
  readonly tokens: Token[] = [];
  private depth = 0;
  readonly pre: Preprocessor;

  constructor(configId: string) {
    this.pre = new Preprocessor(configId, (l) => this.onLine(l));
  }

  readText(text: string, file: string): void {
    text.split('\n').forEach((raw, n) => this.pre.line(raw, file, n + 1));
  }

  readFile(file: string, from?: SourceLine): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      if (!from) throw new ConfigError(file, 0, `cannot read: ${code}`);
      throw new ConfigError(from.file, from.line, `include: cannot read ${file}: ${code}`);
    }
    this.depth++;
    try {
      this.readText(text, file);
    } finally {
      this.depth--;
    }
  }

  private onLine(l: SourceLine): void {
    const inc = /^include([rmwba]?)(?:[ \t]+(.*))?$/.exec(l.text);
    if (inc) this.include(l, inc[1]!, inc[2] ?? '');
    else tokenize(l, this.tokens);
  }

  private include(l: SourceLine, variant: string, rest: string): void {
    const names = rest.split(/[ \t]+/).filter((w) => w !== '');
    if (names.length === 0) throw new ConfigError(l.file, l.line, 'include needs a file name');
    if (this.depth > MAX_INCLUDE_DEPTH)
      throw new ConfigError(
        l.file,
        l.line,
        `include nested more than ${MAX_INCLUDE_DEPTH} deep (a loop?)`,
      );
    for (const raw of names) {
      const name = raw.replace(/^"(.*)"$/, '$1');
      const pattern = isAbsolute(name) ? name : resolve(dirname(l.file), name);
      const glob = /[*?[{]/.test(name);
      if (!glob && !existsSync(pattern))
        throw new ConfigError(l.file, l.line, `include: no such file "${name}"`);
      const files = expandGlob(pattern);
      // includew and includea: a pattern that matches nothing is an error too.
      if (files.length === 0 && (variant === 'w' || variant === 'a'))
        throw new ConfigError(l.file, l.line, `include${variant}: no file matches "${name}"`);
      for (const f of files) this.readFile(f, l);
    }
  }
}

/** Tokens of a configuration file, includes expanded. */
export function lexConfig(file: string, opts: LexOptions = {}): Token[] {
  const lexer = new Lexer(opts.configId ?? defaultConfigId());
  lexer.readFile(file);
  return lexer.tokens;
}

/** Tokens of configuration text (tests; includes relative to `file`'s directory). */
export function lexConfigText(text: string, file: string, opts: LexOptions = {}): Token[] {
  const lexer = new Lexer(opts.configId ?? defaultConfigId());
  lexer.readText(text, file);
  return lexer.tokens;
}
