// keepalived.conf as a tree of statements: `keyword arg… [{ statement… }]`, one statement per
// line (a block's `{` may end the keyword's line or start the next one).
import { ConfigError, type Token } from './lexer.js';

export interface Statement {
  readonly keyword: string;
  readonly args: readonly string[];
  /** Present for a block. */
  readonly children?: readonly Statement[];
  readonly file: string;
  readonly line: number;
}

export function parseTree(tokens: readonly Token[]): Statement[] {
  let pos = 0;
  const parseBlock = (opener: Token | undefined): Statement[] => {
    const out: Statement[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos]!;
      if (t.brace && t.text === '}') {
        if (!opener) throw new ConfigError(t.file, t.line, 'unexpected "}" with no open block');
        pos++;
        return out;
      }
      if (t.brace)
        throw new ConfigError(t.file, t.line, 'unexpected "{" (a block needs a keyword before it)');
      pos++;
      const args: string[] = [];
      while (pos < tokens.length && !tokens[pos]!.lineStart && !tokens[pos]!.brace)
        args.push(tokens[pos++]!.text);
      const next = tokens[pos];
      if (next && next.brace && next.text === '{') {
        pos++;
        const children = parseBlock(next);
        out.push({ keyword: t.text, args, children, file: t.file, line: t.line });
      } else {
        out.push({ keyword: t.text, args, file: t.file, line: t.line });
      }
    }
    if (opener)
      throw new ConfigError(opener.file, opener.line, 'block opened here is never closed');
    return out;
  };
  return parseBlock(undefined);
}
