// Script lines (notify_*, vrrp_script's script): keepalived splits the raw line with quotes
// ("…" and '…') and backslash escapes honoured (alloc_strvec_quoted_escaped); the first word
// is the command, itself split the same way into argv, then an optional user and group.
import type { Reader } from './reader.js';
import type { Statement } from './tree.js';
import type { ScriptSpec } from './vrrp-model.js';

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** One escape after a backslash at `i`: the character and where reading goes on. */
function unescape(s: string, i: number): [string, number] {
  const c = s[i]!;
  const hex = /^x([0-9a-fA-F]+)/.exec(s.slice(i));
  if (hex) return [String.fromCharCode(parseInt(hex[1]!, 16) & 0xff), i + hex[0].length];
  if (c === 'c' && i + 1 < s.length)
    return [String.fromCharCode(s.charCodeAt(i + 1) & 0x1f), i + 2];
  const oct = /^[0-7]{1,3}/.exec(s.slice(i));
  if (oct) return [String.fromCharCode(parseInt(oct[0], 8) & 0xff), i + oct[0].length];
  return [SIMPLE_ESCAPES[c] ?? c, i + 1];
}

/** Words of a line with "…" and '…' quoting and backslash escapes; undefined if unbalanced. */
export function splitQuotedEscaped(line: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= line.length) break;
    let word = '';
    let quote = '';
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (c === '\\') {
        if (i + 1 >= line.length) return undefined;
        const [ch, next] = unescape(line, i + 1);
        word += ch;
        i = next - 1;
      } else if (quote) {
        if (c === quote) quote = '';
        else word += c;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === ' ' || c === '\t') break;
      else word += c;
    }
    if (quote) return undefined;
    words.push(word);
  }
  return words;
}

/**
 * `KEYWORD SCRIPT [USER [GROUP]]`, with SCRIPT split into argv; without `withUser` (vrrp_script's
 * `script`), the words after SCRIPT are ignored, as keepalived ignores them.
 */
export function readScript(r: Reader, s: Statement, withUser = true): ScriptSpec {
  const words = splitQuotedEscaped(s.raw);
  if (!words) return r.fail(s, `${s.keyword}: unbalanced quotes or a trailing backslash`);
  const [text, user, group] = words;
  if (text === undefined) return r.fail(s, `${s.keyword} needs a script`);
  const argv = splitQuotedEscaped(text);
  if (!argv || argv.length === 0) return r.fail(s, `${s.keyword}: "${text}" is not a command`);
  return Object.freeze({
    argv: Object.freeze(argv),
    text,
    ...(withUser && user !== undefined ? { user } : {}),
    ...(withUser && group !== undefined ? { group } : {}),
  });
}
