import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

/**
 * The layers and what each may import (besides itself), like Kafka's import-control rules:
 * protocol ← storage ← metadata ← broker ← http ← cli; client ← protocol; streams and connect ← client;
 * cli runs connect's workers.
 */
const ALLOWED: Record<string, readonly string[]> = {
  common: [],
  protocol: ['common'],
  storage: ['protocol', 'common'],
  metadata: ['storage', 'protocol', 'common'],
  broker: ['metadata', 'storage', 'protocol', 'common'],
  http: ['broker', 'metadata', 'storage', 'protocol', 'common'],
  client: ['protocol', 'common'],
  streams: ['client', 'common'],
  connect: ['client', 'common'],
  cli: ['http', 'broker', 'metadata', 'storage', 'protocol', 'client', 'connect', 'common'],
};

/**
 * The pure cores (STYLE.md, "Pure core, thin shell") and the folders of src/ each may import
 * besides itself: no sockets, files or timers, which only the shells around them own.
 */
const PURE_CORES: Record<string, readonly string[]> = {
  'broker/group-coordinator/core': ['common', 'protocol'],
  // The transaction core shares the group core's partitionFor (Java's String.hashCode), itself pure.
  'broker/transaction-coordinator/core': ['common', 'protocol', 'broker/group-coordinator/core'],
  'metadata/controller': ['metadata', 'storage', 'protocol', 'common'],
  'broker/replication': ['common', 'protocol'],
};

/** What a pure core must not use: wall time, timers, randomness and the process. */
const IMPURE_GLOBALS =
  /\b(?:Date\.now|new Date\(\)|Math\.random|setTimeout|setInterval|setImmediate|process\.|performance\.now)\b/;

const SRC = resolve(process.cwd(), 'src');
const IMPORT = /(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function layerOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0]! : 'root';
}

/** The specifiers a file imports or re-exports from, relative ones resolved to a .ts path. */
function importsOf(file: string): { spec: string; target: string | null }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => {
    const spec = m[1]!;
    return {
      spec,
      target: spec.startsWith('.') ? resolve(dirname(file), spec).replace(/\.js$/, '.ts') : null,
    };
  });
}

function isInside(file: string, folder: string): boolean {
  return file.startsWith(`${join(SRC, folder)}/`);
}

describe('dependency direction', () => {
  it('every import in src/ points down the layers', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = layerOf(file);
      if (from === 'root') continue; // src/index.ts re-exports the public surface
      const allowed = ALLOWED[from];
      assert.ok(allowed, `src/${from} is not a known layer: add it to ALLOWED`);
      for (const { spec, target } of importsOf(file)) {
        if (target === null) continue;
        const to = layerOf(target);
        if (to !== from && !allowed.includes(to))
          violations.push(`${relative(SRC, file)} imports ${to} (${spec})`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('the pure cores import no sockets, files, timers, clocks or randomness', () => {
    const violations: string[] = [];
    for (const [core, allowed] of Object.entries(PURE_CORES)) {
      const files = sourceFiles(join(SRC, core));
      assert.ok(files.length > 0, `src/${core} has no source files: update PURE_CORES`);
      for (const file of files) {
        const name = relative(SRC, file);
        for (const { spec, target } of importsOf(file)) {
          if (target === null) violations.push(`${name} imports the package ${spec}`);
          else if (!isInside(target, core) && !allowed.some((folder) => isInside(target, folder)))
            violations.push(`${name} imports ${relative(SRC, target)}`);
        }
        const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
        const impure = IMPURE_GLOBALS.exec(code);
        if (impure) violations.push(`${name} uses ${impure[0]}`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('src/ has no import cycles', () => {
    const graph = new Map<string, string[]>();
    for (const file of sourceFiles(SRC))
      graph.set(
        file,
        importsOf(file).flatMap(({ target }) => (target === null ? [] : [target])),
      );
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      path.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open')
          cycles.push([...path.slice(path.indexOf(next)), next].map((f) => relative(SRC, f)).join(' -> '));
        else if (!state.has(next) && graph.has(next)) visit(next);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    assert.deepEqual(cycles, []);
  });
});
