/**
 * Protocol decoder fuzzer: `npm run fuzz -- --iterations N --seed S`.
 * Prints the seed first, so any failure can be replayed with the same --seed.
 */
import { randomInt } from 'node:crypto';
import { hexDump, runFuzz } from './fuzz-harness.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const iterations = Number(arg('--iterations') ?? 1_000_000);
const seed = Number(arg('--seed') ?? randomInt(0x7fffffff));
if (!Number.isSafeInteger(iterations) || iterations < 0 || !Number.isSafeInteger(seed)) {
  console.error('usage: fuzz-main [--iterations N] [--seed S]');
  process.exit(2);
}
console.log(`fuzz: seed ${seed}, ${iterations} iterations`);
const report = runFuzz(iterations, seed);
const codes = [...report.codes.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c}=${n}`);
console.log(
  `fuzz: ${report.iterations} inputs from ${report.samples} valid samples: ` +
    `${report.decoded} decoded, ${report.rejected} rejected (${codes.join(' ')})`,
);
if (report.failure) {
  const f = report.failure;
  console.error(`fuzz: FAILED at iteration ${f.iteration} (seed ${seed}) decoding ${f.target}`);
  console.error(f.error);
  console.error(hexDump(f.input));
  process.exit(1);
}
