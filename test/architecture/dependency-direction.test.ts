import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

/**
 * The layers and what each may import (besides itself), like Kafka's import-control rules:
 * protocol ← storage ← metadata ← broker ← cli; client ← protocol; streams and connect ← client.
 */
const ALLOWED: Record<string, readonly string[]> = {
  common: [],
  protocol: ['common'],
  storage: ['protocol', 'common'],
  metadata: ['storage', 'protocol', 'common'],
  broker: ['metadata', 'storage', 'protocol', 'common'],
  client: ['protocol', 'common'],
  streams: ['client', 'common'],
  connect: ['client', 'common'],
  cli: ['broker', 'metadata', 'storage', 'protocol', 'client', 'common'],
};

const SRC = resolve(process.cwd(), 'src');

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

describe('dependency direction', () => {
  it('every import in src/ points down the layers', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = layerOf(file);
      if (from === 'root') continue; // src/index.ts re-exports the public surface
      const allowed = ALLOWED[from];
      assert.ok(allowed, `src/${from} is not a known layer: add it to ALLOWED`);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
        const target = resolve(dirname(file), m[1]!);
        const to = layerOf(target);
        if (to !== from && !allowed.includes(to))
          violations.push(`${relative(SRC, file)} imports ${to} (${m[1]})`);
      }
    }
    assert.deepEqual(violations, []);
  });
});
