// The uvs variants the bench runs: uvsd's extra arguments, read from bench/variants.json so
// that new flags (--io afpacket, --workers N) are measured by editing configuration. A variant
// that this uvsd refuses is reported as not available, never dropped silently.
import { readFileSync } from 'node:fs';

export type UvsMode = 'nat' | 'dr' | 'tun';
export const UVS_MODES: readonly UvsMode[] = ['nat', 'dr', 'tun'];

export interface UvsVariant {
  /** Short name for progress lines ("pcap", "afpacket-2"); "default" for no arguments. */
  readonly name: string;
  readonly args: readonly string[];
  /** Forwarding methods to measure with it (default: all three). */
  readonly modes: readonly UvsMode[];
}

/**
 * How the memory step asks uvsd (see workloads/memory.ts): extra uvsd arguments for that run,
 * and uvsadm arguments that fill the table with synthetic connections, when uvsd has them.
 */
export interface MemoryHooks {
  readonly uvsdArgs: readonly string[];
  readonly fill: readonly string[] | null;
}

export interface VariantSets {
  readonly quick: readonly UvsVariant[];
  readonly full: readonly UvsVariant[];
  readonly memory: MemoryHooks;
}

export class VariantsError extends Error {
  readonly code = 'E_VARIANTS';
}

/** Parses and checks variants.json's text (pure); errors name the file and the entry. */
export function parseVariants(text: string, file: string): VariantSets {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new VariantsError(`${file}: not JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null)
    throw new VariantsError(`${file}: expected an object with "quick" and "full"`);
  const obj = json as Record<string, unknown>;
  for (const k of Object.keys(obj))
    if (!['quick', 'full', 'memory', 'comment'].includes(k))
      throw new VariantsError(`${file}: unknown key "${k}" (expected quick, full, memory)`);
  return {
    quick: variantList(obj['quick'], `${file}: quick`),
    full: variantList(obj['full'], `${file}: full`),
    memory: memoryHooks(obj['memory'], `${file}: memory`),
  };
}

const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((a) => typeof a === 'string');

function memoryHooks(v: unknown, where: string): MemoryHooks {
  if (v === undefined) return { uvsdArgs: [], fill: null };
  if (typeof v !== 'object' || v === null) throw new VariantsError(`${where}: expected an object`);
  const m = v as Record<string, unknown>;
  for (const k of Object.keys(m))
    if (!['uvsdArgs', 'fill', 'comment'].includes(k))
      throw new VariantsError(`${where}: unknown key "${k}" (expected uvsdArgs, fill)`);
  const uvsdArgs = m['uvsdArgs'] ?? [];
  const fill = m['fill'] ?? null;
  if (!isStrings(uvsdArgs))
    throw new VariantsError(`${where}: "uvsdArgs" must be an array of strings`);
  if (fill !== null && !isStrings(fill))
    throw new VariantsError(`${where}: "fill" must be null or an array of uvsadm arguments`);
  return { uvsdArgs, fill };
}

function variantList(v: unknown, where: string): UvsVariant[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new VariantsError(`${where}: expected a non-empty array`);
  const names = new Set<string>();
  return v.map((entry: unknown, i) => {
    const at = `${where}[${i}]`;
    if (typeof entry !== 'object' || entry === null)
      throw new VariantsError(`${at}: expected an object`);
    const e = entry as Record<string, unknown>;
    const { name, args, modes } = e;
    if (typeof name !== 'string' || !/^[\w.-]+$/.test(name))
      throw new VariantsError(`${at}: "name" must be a word (letters, digits, - . _)`);
    if (names.has(name)) throw new VariantsError(`${at}: name "${name}" used twice`);
    names.add(name);
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
      throw new VariantsError(`${at} (${name}): "args" must be an array of strings`);
    const modeList = modes === undefined ? UVS_MODES : modes;
    if (!Array.isArray(modeList) || !modeList.every((m) => UVS_MODES.includes(m as UvsMode)))
      throw new VariantsError(`${at} (${name}): "modes" must list some of ${UVS_MODES.join(', ')}`);
    for (const k of Object.keys(e))
      if (!['name', 'args', 'modes', 'comment'].includes(k))
        throw new VariantsError(`${at} (${name}): unknown key "${k}"`);
    return { name, args, modes: modeList };
  });
}

export function readVariants(file: string): VariantSets {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new VariantsError(`${file}: ${(err as Error).message}`);
  }
  return parseVariants(text, file);
}

/**
 * The io backend and worker count uvsd says it runs ("(io pcap)", "2 workers" in its start
 * line), else what the arguments ask for, else null (pure).
 */
export function detectIo(
  uvsdLog: string,
  args: readonly string[],
): { io: string | null; workers: number | null } {
  const argValue = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    if (i >= 0) return args[i + 1];
    return args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  const io = /\(io ([\w-]+)/.exec(uvsdLog)?.[1] ?? argValue('--io') ?? null;
  const logged = /\b(\d+) workers?\b/.exec(uvsdLog)?.[1] ?? /--workers[ =](\d+)/.exec(uvsdLog)?.[1];
  const w = logged ?? argValue('--workers');
  return { io, workers: w === undefined ? 1 : Number(w) };
}
