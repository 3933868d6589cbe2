#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's built-in runner.
// Node 20's `--test` does not expand globs, so the files are listed here.
// The compatibility tests (dist/test/compat) start broker processes and real clients; they run
// only when named (npm run test:compat), not in the default run.
// usage: run-tests.mjs [--concurrency=N] [file-or-folder...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const concurrencyArg = args.find((a) => a.startsWith('--concurrency='));
const named = args.filter((a) => !a.startsWith('--'));
const roots = named.length > 0 ? named : ['dist/test'];
const skipped = named.length > 0 ? new Set() : new Set([join('dist/test', 'compat')]);
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (skipped.has(p)) continue;
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
}
for (const r of roots) {
  if (statSync(r).isFile()) files.push(r);
  else walk(r);
}
if (files.length === 0) {
  console.error('no test files found under', roots.join(' '));
  process.exit(1);
}
const concurrency = concurrencyArg?.split('=')[1] ?? process.env.TEST_CONCURRENCY ?? '2';
const res = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
