import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'generated' ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Every internal error code: members of `…ErrorCode` unions and codes passed to StromError subclasses. */
function internalErrorCodes(): Set<string> {
  const codes = new Set<string>();
  for (const f of sources('src')) {
    const s = readFileSync(f, 'utf8');
    for (const m of s.matchAll(/export type (\w+ErrorCode) =([\s\S]*?);/g)) {
      for (const c of m[2]!.matchAll(/'([A-Z0-9_]+)'/g)) codes.add(c[1]!);
    }
    for (const m of s.matchAll(/extends StromError[\s\S]*?super\('([A-Z0-9_]+)'/g)) codes.add(m[1]!);
  }
  return codes;
}

describe('docs/errors.md', () => {
  it('documents every internal error code', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    const codes = internalErrorCodes();
    assert.ok(codes.size > 30, `found only ${codes.size} codes: the scan is broken`);
    const missing = [...codes].filter((c) => !doc.includes(`\`${c}\``));
    assert.deepEqual(missing, []);
  });
});
