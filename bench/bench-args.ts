// The benchmarks' command line: `--name value` options, `--flag` switches and --help. Unknown
// options and malformed numbers are errors that name the option (exit code 2), not defaults.

export class BenchUsageError extends Error {
  readonly code = 'E_USAGE';
}

export interface BenchArgs {
  /** `--name value`, or `dflt` when absent. */
  string(name: string, dflt: string): string;
  /** `--name N`: a number within [min, max], or `dflt` when absent. */
  number(name: string, dflt: number, min: number, max: number): number;
  /** `--name` present. */
  flag(name: string): boolean;
}

/**
 * Reads `argv` against the options the program knows (`valued` take a value, `flags` do not);
 * anything else is a BenchUsageError. Pure: no exit, no printing.
 */
export function parseBenchArgs(
  argv: readonly string[],
  valued: readonly string[],
  flags: readonly string[],
): BenchArgs {
  const values = new Map<string, string>();
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (flags.includes(a)) seen.add(a);
    else if (valued.includes(a)) {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new BenchUsageError(`${a} needs a value`);
      values.set(a, v);
      i++;
    } else throw new BenchUsageError(`unknown option "${a}" (see --help)`);
  }
  return {
    string: (name, dflt) => values.get(name) ?? dflt,
    number: (name, dflt, min, max) => {
      const raw = values.get(name);
      if (raw === undefined) return dflt;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < min || n > max)
        throw new BenchUsageError(`${name} must be a number from ${min} to ${max}, not "${raw}"`);
      return n;
    },
    flag: (name) => seen.has(name),
  };
}

/**
 * The command line of a benchmark program: prints `usage` and exits 0 on --help, prints the
 * error and exits 2 on a bad option.
 */
export function readBenchArgs(
  usage: string,
  valued: readonly string[],
  flags: readonly string[] = [],
): BenchArgs {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return parseBenchArgs(argv, valued, flags);
  } catch (err) {
    console.error(`${usage.split('\n')[0]}\n${(err as Error).message}`);
    process.exit(2);
  }
}

/**
 * The original reader (engine-micro uses it): prints `usage` and exits on --help; returns a
 * reader of `--name value` options that tolerates unknown ones.
 */
export function benchArgs(usage: string): (name: string, dflt: string) => string {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(usage);
    process.exit(0);
  }
  return (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
  };
}
