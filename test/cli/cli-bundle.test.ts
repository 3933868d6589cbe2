import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../compat/helpers/repo-root.js';

test('the strom command loads the command line as one bundled module', () => {
  const bin = readFileSync(join(REPO_ROOT, 'bin/strom.js'), 'utf8');
  assert.match(bin, /from '\.\.\/dist\/strom-cli\.js'/);
  const bundle = readFileSync(join(REPO_ROOT, 'dist/strom-cli.js'), 'utf8');
  // Only packages and Node built-ins stay imports: every project module is inside.
  const imports = [...bundle.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!);
  assert.ok(imports.length > 0);
  for (const specifier of imports) assert.ok(!specifier.startsWith('.'), `relative import ${specifier}`);
  assert.match(bundle, /function main\(/);
});
