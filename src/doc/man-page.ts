// A CommandDoc as a man page (roff, man(7) macros): what `npm run build` writes to dist/man/
// and scripts/install.sh installs. Same words as --help: both come from the CommandDoc.
import { UVS_VERSION } from '../control/version.js';
import type { CommandDoc, OptionDoc } from './command-doc.js';

/** Text for roff: backslashes escaped, hyphens as \-, no line starting with a control character. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

function paragraph(p: string): string {
  // A paragraph indented by two spaces is code: kept as is, in a block.
  if (p.startsWith('  ')) return `.PP\n.RS\n.nf\n${roff(p.replace(/^ {2}/gm, ''))}\n.fi\n.RE\n`;
  return `.PP\n${roff(p)}\n`;
}

function optionHead(o: OptionDoc): string {
  const names = [
    ...(o.short ? [`\\fB\\-${o.short}\\fR`] : []),
    `\\fB\\-\\-${roff(o.long)}\\fR`,
    ...(o.aliases ?? []).map((a) => `\\fB\\-\\-${roff(a)}\\fR`),
  ].join(', ');
  return o.arg ? `${names} \\fI${roff(o.arg)}\\fR` : names;
}

function optionBody(o: OptionDoc): string {
  const extra: string[] = [];
  if (o.choices) extra.push(`one of: ${o.choices.join(', ')}`);
  if (
    o.default !== undefined &&
    o.default !== false &&
    !(Array.isArray(o.default) && o.default.length === 0)
  )
    extra.push(`default: ${Array.isArray(o.default) ? o.default.join(' ') : String(o.default)}`);
  return roff(o.describe + (extra.length > 0 ? ` (${extra.join('; ')})` : ''));
}

export function manPage(doc: CommandDoc): string {
  let out = `.\\" Generated from src/doc/${doc.name}-doc.ts by src/doc/write-man-pages.ts: edit that file.\n`;
  out += `.TH ${doc.name.toUpperCase()} ${doc.section} "" "uvs ${UVS_VERSION}" "uvs manual"\n`;
  out += `.SH NAME\n${roff(doc.name)} \\- ${roff(doc.summary)}\n`;
  out += `.SH SYNOPSIS\n${doc.synopsis.map((s) => `.B ${roff(s)}\n`).join('.br\n')}`;
  out += `.SH DESCRIPTION\n${doc.description.map(paragraph).join('')}`;
  if (doc.commands && doc.commands.length > 0) {
    out += '.SH COMMANDS\n';
    for (const c of doc.commands) out += `.TP\n.B ${roff(c.name)}\n${roff(c.describe)}\n`;
  }
  if (doc.options.length > 0) {
    out += '.SH OPTIONS\n';
    for (const o of doc.options) out += `.TP\n${optionHead(o)}\n${optionBody(o)}\n`;
  }
  for (const s of doc.sections ?? [])
    out += `.SH ${s.title}\n${s.paragraphs.map(paragraph).join('')}`;
  out += `.SH SEE ALSO\n${doc.seeAlso.map((s) => roff(s)).join(', ')}\n`;
  return out;
}

/** `text` in lines of at most `width` characters, each line after the first preceded by `indent`. */
export function wrapText(text: string, width: number, indent = ''): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}

/** --help for a binary that does not use yargs (uvs-genhash, uvs-replay), wrapped at 100. */
export function plainHelp(doc: CommandDoc, width = 100): string {
  const rows = doc.options.map((o) => {
    const names = [...(o.short ? [`-${o.short}`] : []), `--${o.long}`].join(', ');
    return [o.arg ? `${names} ${o.arg}` : names, o.describe] as const;
  });
  const col = Math.max(...rows.map(([n]) => n.length)) + 4;
  const options = rows.map(([n, d]) => {
    const head = `  ${n}`.padEnd(col);
    return `${head}${wrapText(d, width - col, ' '.repeat(col))}\n`;
  });
  return (
    `${doc.name} — ${doc.summary}\n\nUsage:\n${doc.synopsis.map((l) => `  ${l}\n`).join('')}\n` +
    doc.description.map((p) => `${wrapText(p, width)}\n\n`).join('') +
    `Options:\n${options.join('')}`
  );
}
