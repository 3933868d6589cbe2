#!/usr/bin/env node
// Runs the compiled benchmark scripts: `run-bench.mjs [group]` runs dist/bench/<group>*.bench.js,
// or every bench script when no group is given. Benchmarks print figures; they assert nothing.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const group = process.argv[2] ?? '';
const extra = process.argv.slice(3);
const files = readdirSync('dist/bench')
  .filter((f) => f.endsWith('.bench.js') && f.startsWith(group))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches "${group}"`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  console.log(`\n## ${f.replace(/\.bench\.js$/, '')}`);
  const res = spawnSync(process.execPath, ['--expose-gc', `dist/bench/${f}`, ...extra], { stdio: 'inherit' });
  if (res.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
