// keepalived.conf's line level, before words, as keepalived 2 reads it (lib/parser.c):
// comments (`#`, `!`, `\#` for a literal), `@ID line` / `@^ID line` kept only on the host
// whose config id is (is not) ID, `$NAME=value` definitions (a value ending in `\` goes on
// over the next lines) substituted as `$NAME` or `${NAME}`, the built-in $_PWD, $_INSTANCE,
// $_RANDOM, $_HASH, $_BANG, and `~SEQ(var, start, step, end) line` / `~LST(var, a, b) line`
// repeating a line. Lines come in one at a time and go out, expanded, to `emit`.
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { expandSequence } from './sequence.js';

export interface SourceLine {
  readonly text: string;
  readonly file: string;
  readonly line: number;
}

interface Definition {
  /** The value, one entry per line for a multiline definition. */
  readonly lines: string[];
  /** Computes the value (built-ins); receives the `${NAME 1 2}` parameters. */
  readonly compute?: (params: number[], where: SourceLine) => string;
}

/** Substitutions per line beyond this are a definition that refers to itself. */
const MAX_SUBSTITUTIONS = 1000;

/** keepalived's decomment(): the line without its comment and surrounding blanks. */
export function decomment(raw: string, file: string, line: number): string {
  const s = raw.replace(/^[ \t]+/, '');
  let out = '';
  let quote = false;
  let comment = false;
  let continued = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\') {
      const next = s[i + 1];
      if (next === undefined) {
        continued = true;
        break;
      }
      if (!comment) out += !quote && (next === '#' || next === '!') ? next : ch + next;
      i++;
      continue;
    }
    if (ch === '"' && !comment) quote = !quote;
    else if ((ch === '#' || ch === '!') && !quote) comment = true;
    if (!comment) out += ch;
  }
  if (quote) throw new ConfigError(file, line, 'unterminated quoted string');
  out = out.replace(/[ \t]+$/, '');
  return continued ? `${out}\\` : out;
}

export class Preprocessor {
  private readonly defs = new Map<string, Definition>();
  /** The definition whose value goes on over the next lines, if any. */
  private continuing: Definition | undefined;

  constructor(
    private readonly configId: string,
    private readonly emit: (l: SourceLine) => void,
  ) {
    this.defs.set('_PWD', { lines: [], compute: (_p, w) => dirname(resolve(w.file)) });
    this.defs.set('_INSTANCE', { lines: [], compute: () => this.configId });
    this.defs.set('_RANDOM', { lines: [], compute: randomValue });
    this.defs.set('_HASH', { lines: ['#'] });
    this.defs.set('_BANG', { lines: ['!'] });
  }

  /** One physical line of a file. */
  line(raw: string, file: string, line: number): void {
    const trimmed = raw.replace(/[\r\n]+$/, '');
    if (trimmed === '' && this.continuing) {
      this.continuing = undefined;
      return;
    }
    const text = decomment(trimmed, file, line);
    if (text === '') return;
    if (this.continuing) {
      this.continueDefinition(this.continuing, text);
      return;
    }
    this.process(text, { text, file, line });
  }

  private continueDefinition(def: Definition, text: string): void {
    const more = text.endsWith('\\');
    const value = more ? text.slice(0, -1).replace(/[ \t]+$/, '') : text;
    if (value !== '') def.lines.push(value);
    if (!more) this.continuing = undefined;
  }

  /** A line after decomment: conditionals, definitions, sequences, substitutions. */
  private process(first: string, where: SourceLine): void {
    let text = first;
    const more: string[] = [];
    for (let round = 0; ; round++) {
      if (round > MAX_SUBSTITUTIONS)
        throw new ConfigError(where.file, where.line, 'definitions refer to themselves');
      if (text.startsWith('@')) {
        const kept = this.conditional(text);
        if (kept === undefined) return;
        text = kept;
      }
      if (text.startsWith('$') && this.define(text)) return;
      if (text.startsWith('~SEQ') || text.startsWith('~LST')) {
        this.sequence(text, where);
        return;
      }
      if (text.startsWith('~') || !text.includes('$')) break;
      const replaced = this.substitute(text, where);
      if (replaced === undefined) break;
      text = decomment(replaced.text, where.file, where.line);
      more.unshift(...replaced.rest);
      if (!text.startsWith('@') && !text.includes('$')) break;
    }
    if (text !== '') this.emit({ text, file: where.file, line: where.line });
    for (const m of more) this.process(m, where);
  }

  /** `@ID rest` / `@^ID rest`: the rest when the line applies here, else undefined. */
  private conditional(text: string): string | undefined {
    const reverse = text[1] === '^';
    const start = reverse ? 2 : 1;
    const m = /[ \t]/.exec(text.slice(start));
    if (!m) return undefined;
    const id = text.slice(start, start + m.index);
    if ((id === this.configId) === reverse) return undefined;
    return text.slice(start + m.index).replace(/^[ \t]+/, '');
  }

  /** `$NAME=value`: true when the line was a definition. */
  private define(text: string): boolean {
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)=[ \t]*(.*)$/.exec(text);
    if (!m) return false;
    const value = m[2]!;
    const def: Definition = { lines: [] };
    if (value.endsWith('\\')) {
      const head = value.slice(0, -1).replace(/[ \t]+$/, '');
      if (head !== '') def.lines.push(head);
      this.continuing = def;
    } else {
      def.lines.push(value);
    }
    this.defs.set(m[1]!, def);
    return true;
  }

  /** Sets a definition to one value (a sequence's variable). */
  setDefinition(name: string, value: string): void {
    this.defs.set(name, { lines: [value] });
  }

  private sequence(text: string, where: SourceLine): void {
    const expand = (s: string): string => this.substitute(s, where)?.text ?? s;
    for (const step of expandSequence(text, expand, where)) {
      for (const [name, value] of step.values) this.setDefinition(name, value);
      this.process(step.line, where);
    }
  }

  /**
   * Replaces `$NAME` and `${NAME}` (and `${NAME params}` for built-ins) from left to right,
   * re-reading each replacement. A multiline definition may only end a line: its first line
   * replaces it, the others follow as lines of their own (returned in `rest`).
   */
  private substitute(
    text: string,
    where: SourceLine,
  ): { text: string; rest: string[] } | undefined {
    let out = text;
    let rest: string[] = [];
    let found = false;
    let pos = out.indexOf('$');
    for (let n = 0; pos >= 0 && pos < out.length - 1; n++) {
      if (n > MAX_SUBSTITUTIONS)
        throw new ConfigError(where.file, where.line, 'definitions refer to themselves');
      const ref = this.reference(out, pos);
      if (!ref) {
        pos = out.indexOf('$', pos + 1);
        continue;
      }
      found = true;
      const def = ref.def;
      const value = def.compute ? def.compute(ref.params, where) : (def.lines[0] ?? '');
      if (def.lines.length > 1) rest = def.lines.slice(1);
      out = out.slice(0, pos) + value + out.slice(ref.end);
      if (/^[ \t]*~/.test(value)) break;
      pos = out.indexOf('$', pos);
    }
    return found ? { text: out, rest } : undefined;
  }

  /** The definition referred to at `pos` (a `$`), if any, with where the reference ends. */
  private reference(
    text: string,
    pos: number,
  ): { def: Definition; end: number; params: number[] } | undefined {
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)((?: +\d+)*)\}/.exec(text.slice(pos));
    const bare = braced
      ? undefined
      : /^\$([A-Za-z_][A-Za-z0-9_]*)(?=$|[ \t,)])/.exec(text.slice(pos));
    const m = braced ?? bare;
    if (!m) return undefined;
    const def = this.defs.get(m[1]!);
    if (!def) return undefined;
    const end = pos + m[0].length;
    // A multiline definition only where it ends the line.
    if (def.lines.length > 1 && end !== text.length) return undefined;
    const params = (braced?.[2] ?? '')
      .split(' ')
      .filter((p) => p !== '')
      .map(Number);
    if (params.length > 0 && !def.compute) return undefined;
    return { def, end, params };
  }
}

/** $_RANDOM, ${_RANDOM MIN MAX}: a whole number in [MIN, MAX] (0-32767 by default). */
function randomValue(params: number[]): string {
  const min = params[0] ?? 0;
  const max = params[1] ?? 32767;
  return String(min + Math.floor(Math.random() * (max - min + 1)));
}
