// The import graph of the source tree, read from the TypeScript syntax tree (not from regexes:
// imports span lines, and `import type` must be told from a value import), and the cycles in it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

/** One `import … from` or `export … from` of a module of the tree. */
export interface ImportEdge {
  /** The imported file, relative to the repository root, with '/' separators: 'src/engine/engine.ts'. */
  readonly to: string;
  /** True when the statement brings in types only (erased at compile time). */
  readonly typeOnly: boolean;
}

/** File (relative to the repository root) → the files of the tree it imports. */
export type ImportGraph = ReadonlyMap<string, readonly ImportEdge[]>;

function listTsFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listTsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files.sort();
}

const toPosix = (path: string): string => path.split(sep).join('/');

/** A statement imports types only when it says `import type`, or when every name it lists does. */
function isTypeOnly(stmt: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isImportDeclaration(stmt)) {
    const clause = stmt.importClause;
    if (!clause) return false; // `import './x.js'`: run for its effects
    if (clause.isTypeOnly) return true;
    if (clause.name) return false; // a default import is a value
    const bindings = clause.namedBindings;
    if (!bindings || ts.isNamespaceImport(bindings)) return false;
    return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
  }
  if (stmt.isTypeOnly) return true;
  const clause = stmt.exportClause;
  if (!clause || ts.isNamespaceExport(clause)) return false; // `export * from`
  return clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** The static imports and re-exports of one file, as written ('./x.js', 'node:fs'…). */
function moduleSpecifiers(path: string): { spec: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest);
  const found: { spec: string; typeOnly: boolean }[] = [];
  for (const stmt of source.statements) {
    if (!ts.isImportDeclaration(stmt) && !ts.isExportDeclaration(stmt)) continue;
    const spec = stmt.moduleSpecifier;
    if (spec && ts.isStringLiteral(spec))
      found.push({ spec: spec.text, typeOnly: isTypeOnly(stmt) });
  }
  return found;
}

/** The imports of a source tree: between its own files, and of packages and node: modules. */
export interface SourceImports {
  readonly graph: ImportGraph;
  /** File → the packages and built-in modules it imports ('node:fs', 'yargs'…). */
  readonly packages: ReadonlyMap<string, readonly string[]>;
}

/**
 * Reads every .ts file under `root`/`dir` and resolves its relative imports ('./x.js' is the
 * compiled name of './x.ts', as NodeNext resolution wants it). A relative import that names no
 * file of the tree throws: the graph would be wrong, and tsc would refuse it anyway.
 */
export function readImports(root: string, dir: string): SourceImports {
  const graph = new Map<string, ImportEdge[]>();
  const packages = new Map<string, string[]>();
  for (const file of listTsFiles(join(root, dir))) {
    const name = toPosix(relative(root, file));
    const edges: ImportEdge[] = [];
    const external: string[] = [];
    for (const { spec, typeOnly } of moduleSpecifiers(file)) {
      if (!spec.startsWith('./') && !spec.startsWith('../')) {
        external.push(spec);
        continue;
      }
      const target = join(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (!existsSync(target)) throw new Error(`${name}: import '${spec}' names no file`);
      edges.push({ to: toPosix(relative(root, target)), typeOnly });
    }
    graph.set(name, edges);
    packages.set(name, external);
  }
  return { graph, packages };
}

/**
 * The same graph one level up: each file stands for the folder `depth` levels below the root
 * that holds it (depth 2: 'src/engine/forward/tunnel.ts' → 'src/engine'). An edge between two
 * folders is type-only when every file-level import behind it is.
 */
export function folderGraph(graph: ImportGraph, depth: number): ImportGraph {
  const folderOf = (file: string): string => file.split('/').slice(0, depth).join('/');
  const folders = new Map<string, Map<string, boolean>>();
  for (const [from, edges] of graph) {
    const fromFolder = folderOf(from);
    const out = folders.get(fromFolder) ?? new Map<string, boolean>();
    folders.set(fromFolder, out);
    for (const { to, typeOnly } of edges) {
      const toFolder = folderOf(to);
      if (toFolder === fromFolder) continue;
      out.set(toFolder, (out.get(toFolder) ?? true) && typeOnly);
    }
  }
  return new Map(
    [...folders].map(([from, out]) => [from, [...out].map(([to, typeOnly]) => ({ to, typeOnly }))]),
  );
}

/**
 * Every elementary cycle of the graph (Johnson's algorithm, bounded by `limit`), each given as
 * its nodes starting from the smallest name, e.g. ['a', 'b'] for a → b → a. Sorted, so that two
 * runs over the same tree list the same cycles in the same order.
 */
export function findCycles(graph: ImportGraph, limit = 10_000): string[][] {
  const nodes = [...graph.keys()].sort();
  const succ = (n: string): string[] => [
    ...new Set((graph.get(n) ?? []).map((e) => e.to).filter((to) => graph.has(to))),
  ];
  const cycles: string[][] = [];
  // Johnson: for each start node s in order, the elementary circuits through s that use only
  // nodes ≥ s; blocking keeps the search from walking the same dead end twice.
  for (let i = 0; i < nodes.length && cycles.length < limit; i++) {
    const start = nodes[i]!;
    const allowed = new Set(nodes.slice(i));
    const blocked = new Set<string>();
    const blockedBy = new Map<string, Set<string>>();
    const stack: string[] = [];
    const unblock = (n: string): void => {
      blocked.delete(n);
      const waiting = blockedBy.get(n);
      if (!waiting) return;
      blockedBy.delete(n);
      for (const w of waiting) if (blocked.has(w)) unblock(w);
    };
    const circuit = (v: string): boolean => {
      let closed = false;
      stack.push(v);
      blocked.add(v);
      for (const w of succ(v)) {
        if (!allowed.has(w) || cycles.length >= limit) continue;
        if (w === start) {
          cycles.push([...stack]);
          closed = true;
        } else if (!blocked.has(w) && circuit(w)) {
          closed = true;
        }
      }
      if (closed) unblock(v);
      else {
        for (const w of succ(v)) {
          if (!allowed.has(w)) continue;
          const waiting = blockedBy.get(w) ?? new Set<string>();
          waiting.add(v);
          blockedBy.set(w, waiting);
        }
      }
      stack.pop();
      return closed;
    };
    circuit(start);
  }
  return cycles
    .map((c) => c.join('\u0000'))
    .sort()
    .map((c) => c.split('\u0000'));
}

/** A cycle as a reader follows it: ['a', 'b'] → 'a → b → a'. */
export const cyclePath = (cycle: readonly string[]): string => [...cycle, cycle[0]].join(' → ');
