// track_interface and track_script blocks (of a vrrp_instance or a vrrp_sync_group):
// `NAME [weight N [reverse]]`, as keepalived's alloc_track_if / alloc_track_script. A script
// must be defined before it is tracked, as keepalived looks it up while reading.
import type { InterfaceUse } from './ip-address-reader.js';
import type { Reader } from './reader.js';
import type { Statement } from './tree.js';
import type { TrackedInterface, TrackedScript, VrrpScriptSpec } from './vrrp-model.js';

interface Weighted {
  readonly weight?: number;
  readonly reverse?: boolean;
}

/** `weight N [reverse|noreverse]` after the name; ±254 is read as ±253, as keepalived does. */
function weighted(r: Reader, s: Statement, owner: string, what: string): Weighted {
  if (s.args.length === 0) return {};
  if (s.args[0] !== 'weight')
    r.fail(s, `${owner}: unknown option "${s.args[0]!}" for ${s.keyword}`);
  const word = s.args[1] ?? '';
  if (!/^-?\d+$/.test(word) || Math.abs(Number(word)) > 254)
    r.fail(s, `(${owner}) weight "${word}" for ${what} ${s.keyword} is not from -254 to 254`);
  let weight = Number(word);
  if (Math.abs(weight) === 254) {
    r.warn(s, `${owner}: weight for ${s.keyword} cannot be +/-254; +/-253 used`);
    weight = Math.sign(weight) * 253;
  }
  const option = s.args[2];
  if (option !== undefined && option !== 'reverse' && option !== 'noreverse')
    r.fail(s, `${owner}: unknown weight option "${option}" for ${s.keyword}`);
  if (s.args.length > 3) r.warn(s, `${owner}: extra words after ${s.keyword} ignored`);
  return { weight, ...(option !== undefined ? { reverse: option === 'reverse' } : {}) };
}

export function readTrackInterfaces(
  r: Reader,
  s: Statement,
  owner: string,
  use: InterfaceUse,
): TrackedInterface[] {
  const out: TrackedInterface[] = [];
  for (const k of r.block(s)) {
    if (k.children) r.fail(k, `${k.keyword} does not take a block`);
    const w = weighted(r, k, owner, 'track_interface');
    if (out.some((t) => t.name === k.keyword)) {
      r.warn(k, `(${owner}) duplicate track_interface ${k.keyword} - ignoring`);
      continue;
    }
    use(k, k.keyword, `track_interface of ${owner}`);
    out.push({ name: k.keyword, weight: w.weight ?? 0, reverse: w.reverse ?? false });
  }
  return out;
}

export function readTrackScripts(
  r: Reader,
  s: Statement,
  owner: string,
  scripts: ReadonlyMap<string, VrrpScriptSpec>,
  used: Set<string>,
): TrackedScript[] {
  const out: TrackedScript[] = [];
  for (const k of r.block(s)) {
    if (k.children) r.fail(k, `${k.keyword} does not take a block`);
    const w = weighted(r, k, owner, 'track_script');
    const script = scripts.get(k.keyword);
    if (!script) {
      r.warn(k, `(${owner}) track script ${k.keyword} not found, ignoring...`);
      continue;
    }
    if (out.some((t) => t.name === k.keyword)) {
      r.warn(k, `(${owner}) duplicate track_script ${k.keyword} - ignoring`);
      continue;
    }
    used.add(k.keyword);
    out.push({
      name: k.keyword,
      weight: w.weight ?? script.weight,
      reverse: w.reverse ?? script.weightReverse,
    });
  }
  return out;
}
