// One description per binary, the single source of its --help text and of its man page
// (src/doc/man-page.ts): summary, synopsis, what it does, its options, and the sections a
// man page has (signals, files, examples). yargs-based binaries take their options from here.

export interface OptionDoc {
  /** Long name without dashes: "use-file". */
  readonly long: string;
  /** Short letter: "f". */
  readonly short?: string;
  /** Further long names accepted. */
  readonly aliases?: readonly string[];
  /** Placeholder of the value: "FILE"; none for a flag. */
  readonly arg?: string;
  readonly type: 'string' | 'boolean' | 'number';
  readonly array?: boolean;
  readonly default?: string | number | boolean | readonly string[];
  readonly choices?: readonly string[];
  readonly describe: string;
}

export interface SectionDoc {
  /** Upper case, as man pages title them: "SIGNALS". */
  readonly title: string;
  /** Paragraphs; a paragraph starting with two spaces is printed as is (code). */
  readonly paragraphs: readonly string[];
}

export interface CommandDoc {
  readonly name: string;
  /** Man section: 8 for the daemon and admin tool, 1 for the others. */
  readonly section: 1 | 8;
  /** One line, after "name — ". */
  readonly summary: string;
  readonly synopsis: readonly string[];
  /** Paragraphs, each on one line (--help and man wrap them). */
  readonly description: readonly string[];
  readonly options: readonly OptionDoc[];
  /** Subcommands (uvs-lab): name and what it does. */
  readonly commands?: readonly { readonly name: string; readonly describe: string }[];
  readonly sections?: readonly SectionDoc[];
  readonly seeAlso: readonly string[];
}

/** The usage header of --help: "name — summary", the synopsis, the description. */
export function helpHeader(doc: CommandDoc): string {
  return (
    `${doc.name} — ${doc.summary}\n\n` +
    `Usage:\n${doc.synopsis.map((s) => `  ${s}\n`).join('')}\n` +
    doc.description.join('\n\n')
  );
}
