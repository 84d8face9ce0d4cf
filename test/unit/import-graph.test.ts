// The shape of the source tree: no import cycles between files or between the folders of src/,
// and each layer of DESIGN.md ("Layers, and who may import whom") importing only what it may.
//
// Type-only imports count. A cycle or a layer crossing made of `import type` is the same coupling
// as one made of values (the cycle of the forwarders with engine.ts that issue 14 named was half
// `import type`); it is one edit away from a value import; and the layers are about what a
// module knows of, not about what survives compilation. Static `import … from` and `export … from` are read; the
// tree has no dynamic import().
//
// Today's cycles and crossings are listed below as allowed, so that the suite passes while
// issue 14 removes them. The list may only shrink: a cycle that is not on it fails the test, and
// so does one on it that no longer exists (then delete its line).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  cyclePath,
  findCycles,
  folderGraph,
  readImports,
  type ImportGraph,
} from '../helpers/import-graph.js';

// This file runs from dist/test/unit; the sources are read as they are in the tree.
const root = fileURLToPath(new URL('../../../', import.meta.url));

// Cycles between files that exist today: none.
const ALLOWED_FILE_CYCLES: readonly string[] = [];

// Cycles between the folders of src/ that exist today: none.
const ALLOWED_FOLDER_CYCLES: readonly string[] = [];

// Imports that cross the layers of DESIGN.md today, as 'from → to': none.
const ALLOWED_LAYER_CROSSINGS: readonly string[] = [];

// DESIGN.md, "Layers, and who may import whom":
//
//   cli/ ──► daemon/ ──► control/ ipvsadm/ keepalived/ health/ vrrp/ sync/ metrics/ lab/
//                           ▼
//                        engine/ ──► packet/        io/ net/
//
// A folder may import itself, the folders of its own row (side by side in the drawing; the
// folder-cycle test keeps them from importing each other both ways) and the rows it points to.
// packet/ "depends on nothing" and engine/ "is pure: no I/O, no timers of its own": neither
// imports a package or a node: module. tun/ (the real server's side of LVS-TUN, not drawn) is an
// application beside lab/. cli/ is src/bin/.
interface Layer {
  /** The rows whose folders this row may import. */
  readonly mayImport: readonly string[];
  /** Whether its files may import packages and node: modules. */
  readonly packages: boolean;
}
const ROWS: Readonly<Record<string, Layer>> = {
  packet: { mayImport: [], packages: false },
  host: { mayImport: ['packet'], packages: true },
  engine: { mayImport: ['packet'], packages: false },
  control: { mayImport: ['engine', 'packet', 'host'], packages: true },
  daemon: { mayImport: ['control', 'engine', 'packet', 'host'], packages: true },
  cli: { mayImport: ['daemon', 'control', 'engine', 'packet', 'host'], packages: true },
};
const ROW_OF_FOLDER: Readonly<Record<string, string>> = {
  'src/packet': 'packet',
  'src/io': 'host',
  'src/pcap': 'host',
  'src/net': 'host',
  // Time as an interface (Clock, FakeClock), for the control plane's state machines.
  'src/clock': 'host',
  'src/engine': 'engine',
  'src/control': 'control',
  'src/ipvsadm': 'control',
  'src/keepalived': 'control',
  'src/health': 'control',
  'src/vrrp': 'control',
  'src/sync': 'control',
  'src/metrics': 'control',
  'src/lab': 'control',
  'src/tun': 'control',
  'src/trace': 'control',
  'src/web': 'control',
  // Each binary's description (--help, man pages, completion): beside the control plane.
  'src/doc': 'control',
  'src/daemon': 'daemon',
  'src/replay': 'daemon',
  'src/bin': 'cli',
};

const folderOf = (file: string): string => file.split('/').slice(0, 2).join('/');

/** What an allow-list says against what was found: both ways, as messages. */
function compareWithAllowed(
  found: readonly string[],
  allowed: readonly string[],
  listName: string,
): string[] {
  const isNew = found.filter((f) => !allowed.includes(f));
  const gone = allowed.filter((a) => !found.includes(a));
  const problems: string[] = [];
  if (isNew.length > 0) {
    problems.push(`${isNew.length} not allowed:`, ...isNew.map((c) => `  ${c}`));
  }
  if (gone.length > 0) {
    problems.push(
      `${gone.length} allowed in ${listName} but no longer found (delete these lines):`,
      ...gone.map((c) => `  ${c}`),
    );
  }
  return problems;
}

function assertCyclesAsAllowed(
  graph: ImportGraph,
  allowed: readonly string[],
  listName: string,
): void {
  const found = findCycles(graph).map(cyclePath);
  const problems = compareWithAllowed(found, allowed, listName);
  if (problems.length > 0) assert.fail(['import cycles:', ...problems].join('\n'));
}

const sources = readImports(root, 'src');

test('the files of src/ import each other without a cycle, but for the allowed ones', () => {
  assertCyclesAsAllowed(sources.graph, ALLOWED_FILE_CYCLES, 'ALLOWED_FILE_CYCLES');
});

test('the folders of src/ import each other without a cycle, but for the allowed ones', () => {
  assertCyclesAsAllowed(
    folderGraph(sources.graph, 2),
    ALLOWED_FOLDER_CYCLES,
    'ALLOWED_FOLDER_CYCLES',
  );
});

test('each folder of src/ imports only the layers below it (DESIGN.md)', () => {
  const crossings: string[] = [];
  for (const [file, edges] of sources.graph) {
    const row = ROW_OF_FOLDER[folderOf(file)];
    const layer = row === undefined ? undefined : ROWS[row];
    if (!layer) {
      crossings.push(`${file}: ${folderOf(file)} is in no layer (add it to ROW_OF_FOLDER)`);
      continue;
    }
    for (const { to, typeOnly } of edges) {
      const toRow = ROW_OF_FOLDER[folderOf(to)];
      if (toRow === row || (toRow !== undefined && layer.mayImport.includes(toRow))) continue;
      crossings.push(`${file} → ${to}${typeOnly ? ' (type-only)' : ''}`);
    }
    if (!layer.packages) {
      for (const spec of sources.packages.get(file) ?? []) crossings.push(`${file} → ${spec}`);
    }
  }
  const problems = compareWithAllowed(
    crossings,
    ALLOWED_LAYER_CROSSINGS,
    'ALLOWED_LAYER_CROSSINGS',
  );
  if (problems.length > 0) assert.fail(['imports across the layers:', ...problems].join('\n'));
});

// The checker itself, on graphs whose cycles are known, so that an empty answer means something.

const graphOf = (edges: Record<string, string[]>): ImportGraph =>
  new Map(
    Object.entries(edges).map(([from, to]) => [from, to.map((t) => ({ to: t, typeOnly: false }))]),
  );

test('findCycles lists every elementary cycle once, from its smallest node', () => {
  const graph = graphOf({ a: ['b'], b: ['a', 'c'], c: ['a', 'c'], d: ['a'] });
  assert.deepEqual(findCycles(graph).map(cyclePath), ['a → b → a', 'a → b → c → a', 'c → c']);
});

test('findCycles finds nothing in a graph without cycles', () => {
  const graph = graphOf({ a: ['b', 'c'], b: ['c'], c: [], d: ['a', 'c'] });
  assert.deepEqual(findCycles(graph), []);
});

test('readImports reads multi-line, type-only and re-export imports and resolves .js to .ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uvs-import-graph-'));
  const write = (name: string, text: string): void => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  };
  try {
    write('src/a/one.ts', "import {\n  x,\n  y,\n} from '../b/two.js';\nimport 'node:fs';\n");
    write('src/b/two.ts', "import type { Z } from './three.js';\nexport const x = 1, y = 2;\n");
    write('src/b/three.ts', "export { type W } from '../a/one.js';\nexport * from './four.js';\n");
    write('src/b/four.ts', "import { type Z, value } from './three.js';\n");
    const { graph, packages } = readImports(dir, 'src');
    assert.deepEqual(Object.fromEntries(graph), {
      'src/a/one.ts': [{ to: 'src/b/two.ts', typeOnly: false }],
      'src/b/two.ts': [{ to: 'src/b/three.ts', typeOnly: true }],
      'src/b/three.ts': [
        { to: 'src/a/one.ts', typeOnly: true },
        { to: 'src/b/four.ts', typeOnly: false },
      ],
      'src/b/four.ts': [{ to: 'src/b/three.ts', typeOnly: false }],
    });
    assert.deepEqual(packages.get('src/a/one.ts'), ['node:fs']);
    assert.deepEqual(findCycles(folderGraph(graph, 2)).map(cyclePath), ['src/a → src/b → src/a']);
    write('src/b/five.ts', "import { q } from './missing.js';\n");
    assert.throws(
      () => readImports(dir, 'src'),
      /src\/b\/five\.ts: import '\.\/missing\.js' names no file/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
