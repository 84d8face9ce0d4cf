// A CommandDoc's options declared to yargs, so that --help and the man page say the same.
import type { Argv, Options } from 'yargs';
import type { OptionDoc } from './command-doc.js';

export function yargsOption(o: OptionDoc): Options {
  const alias = [...(o.short ? [o.short] : []), ...(o.aliases ?? [])];
  return {
    type: o.type,
    describe: o.describe,
    ...(alias.length > 0 ? { alias } : {}),
    ...(o.array ? { array: true } : {}),
    ...(o.default !== undefined ? { default: o.default } : {}),
    ...(o.choices ? { choices: [...o.choices] } : {}),
    ...(o.arg ? { requiresArg: true } : {}),
  };
}

export function withOptions<T>(y: Argv<T>, options: readonly OptionDoc[]): Argv<T> {
  let out = y;
  for (const o of options) out = out.option(o.long, yargsOption(o));
  return out;
}
