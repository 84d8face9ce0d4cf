// The benchmarks' command line: `--name value` options and --help.

/** Prints `usage` and exits on --help; returns a reader of `--name value` (string) options. */
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
