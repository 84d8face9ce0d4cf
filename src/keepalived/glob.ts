// The file globs of keepalived's include: `*`, `?` and `[…]` in any path component, and
// `{a,b}` alternatives (glob(3) with GLOB_BRACE). Matches are sorted, directories skipped.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const WILD = /[*?[]/;

/** `a{b,c}d` → [abd, acd]; nested and repeated braces expand in turn. */
export function expandBraces(pattern: string): string[] {
  const m = /\{([^{}]*)\}/.exec(pattern);
  if (!m?.[1]?.includes(',')) return [pattern];
  const head = pattern.slice(0, m.index);
  const tail = pattern.slice(m.index + m[0].length);
  return m[1].split(',').flatMap((alt) => expandBraces(head + alt + tail));
}

function componentRegExp(part: string): RegExp {
  return new RegExp(
    `^${part
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

function isFile(f: string): boolean {
  try {
    return statSync(f).isFile();
  } catch {
    return false;
  }
}

function expandOne(pattern: string): string[] {
  if (!WILD.test(pattern)) return [pattern];
  let bases = [pattern.startsWith('/') ? '/' : '.'];
  for (const part of pattern.split('/')) {
    if (part === '') continue;
    if (!WILD.test(part)) {
      bases = bases.map((b) => join(b, part));
      continue;
    }
    const re = componentRegExp(part);
    bases = bases.flatMap((b) => {
      try {
        return readdirSync(b)
          .filter((n) => re.test(n))
          .sort()
          .map((n) => join(b, n));
      } catch {
        return [];
      }
    });
  }
  return bases.filter(isFile);
}

/** Files matching a glob, sorted within each `{…}` alternative. */
export function expandGlob(pattern: string): string[] {
  const alternatives = expandBraces(pattern);
  if (alternatives.length === 1 && !WILD.test(pattern)) return [pattern];
  return alternatives.flatMap(expandOne).filter(isFile);
}
