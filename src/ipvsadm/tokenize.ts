// ipvsadm's command line (popt) as tokens: options may be clustered (-Ln) or take attached
// values (-srr, --scheduler=rr); -p takes an optional value; anything else is an argument.
import { UsageError } from './command.js';
import { OPTIONS, type OptionDef } from './option-table.js';

export interface Token {
  readonly def: OptionDef;
  readonly value: string | undefined;
  /** How the user wrote it, for messages. */
  readonly text: string;
}

export function tokenize(argv: readonly string[]): { tokens: Token[]; rest: string[] } {
  const tokens: Token[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const takeValue = (def: OptionDef, attached: string | undefined, text: string): void => {
      if (def.arg === 'none') {
        if (attached !== undefined)
          throw new UsageError(`${text}: option does not take an argument`, 255);
        tokens.push({ def, value: undefined, text });
      } else if (attached !== undefined && attached !== '') {
        tokens.push({ def, value: attached, text });
      } else if (def.arg === 'optional') {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('-')) {
          tokens.push({ def, value: next, text });
          i++;
        } else tokens.push({ def, value: undefined, text });
      } else {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`${text}: missing argument`, 255);
        tokens.push({ def, value: next, text });
        i++;
      }
    };
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq >= 0 ? eq : undefined);
      const def = OPTIONS.find((o) => o.long === name);
      if (!def) throw new UsageError(`${a}: unknown option`, 255, tokens.length === 0);
      takeValue(def, eq >= 0 ? a.slice(eq + 1) : undefined, `--${name}`);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const def = OPTIONS.find((o) => o.short === a[k]);
        if (!def) throw new UsageError(`-${a[k]}: unknown option`, 255, tokens.length === 0);
        if (def.arg !== 'none') {
          takeValue(def, a.slice(k + 1) || undefined, `-${a[k]}`);
          break;
        }
        takeValue(def, undefined, `-${a[k]}`);
      }
    } else {
      rest.push(a);
    }
  }
  return { tokens, rest };
}
