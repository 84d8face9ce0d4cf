// keepalived.conf as a tree of statements: `keyword arg… [{ statement… }]`, one statement per
// line (a block's `{` may end the keyword's line or start the next one; text after a brace
// starts a statement of its own, as keepalived splits lines at braces).
import { ConfigError } from './config-error.js';
import type { Token } from './lexer.js';

export interface Statement {
  readonly keyword: string;
  readonly args: readonly string[];
  /** The arguments as written (quotes and escapes intact), for script lines. */
  readonly raw: string;
  /** Present for a block. */
  readonly children?: readonly Statement[];
  readonly file: string;
  readonly line: number;
  /** Line of a block's closing brace. */
  readonly endLine?: number;
}

export function parseTree(tokens: readonly Token[]): Statement[] {
  let pos = 0;
  const statement = (t: Token): Statement => {
    const args: Token[] = [];
    while (pos < tokens.length && !tokens[pos]!.lineStart && !tokens[pos]!.brace)
      args.push(tokens[pos++]!);
    const last = args[args.length - 1];
    const base = {
      keyword: t.text,
      args: args.map((a) => a.text),
      raw: last ? t.src.slice(args[0]!.start, last.end) : '',
      file: t.file,
      line: t.line,
    };
    const next = tokens[pos];
    if (!next?.brace || next.text !== '{') return base;
    pos++;
    const { children, closeLine } = parseBlock(next);
    return { ...base, children, endLine: closeLine ?? next.line };
  };
  const parseBlock = (opener: Token | undefined): { children: Statement[]; closeLine?: number } => {
    const out: Statement[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos]!;
      if (t.brace && t.text === '}') {
        if (!opener) throw new ConfigError(t.file, t.line, 'unexpected "}" with no open block');
        pos++;
        return { children: out, closeLine: t.line };
      }
      if (t.brace)
        throw new ConfigError(t.file, t.line, 'unexpected "{" (a block needs a keyword before it)');
      pos++;
      out.push(statement(t));
    }
    if (opener)
      throw new ConfigError(opener.file, opener.line, 'block opened here is never closed');
    return { children: out };
  };
  return parseBlock(undefined).children;
}
