#!/usr/bin/env node
// Runs the compiled benchmark scripts: `run-bench.mjs [group[,group…]] [args…]` runs
// dist/bench/<group>*.bench.js for each group, or every bench script when no group is given.
// Benchmarks print figures; they assert nothing.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const groups = (process.argv[2] ?? '').split(',');
const extra = process.argv.slice(3);
const files = readdirSync('dist/bench')
  .filter((f) => f.endsWith('.bench.js') && groups.some((g) => f.startsWith(g)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches "${groups.join(',')}"`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  console.log(`\n## ${f.replace(/\.bench\.js$/, '')}`);
  const res = spawnSync(process.execPath, ['--expose-gc', `dist/bench/${f}`, ...extra], { stdio: 'inherit' });
  if (res.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
