import assert from 'node:assert/strict';
import { it } from 'node:test';
import { hexDump, runFuzz } from './fuzz-harness.js';

it('decoders return a value or a ProtocolError for 10^4 mutated frames', () => {
  const seed = 20260101;
  const report = runFuzz(10_000, seed);
  const f = report.failure;
  assert.equal(
    f,
    null,
    f ? `seed ${seed} iteration ${f.iteration} ${f.target}: ${String(f.error)}\n${hexDump(f.input)}` : '',
  );
  // Both outcomes must actually occur, or the mutations are not reaching the decoders.
  assert.ok(report.decoded > 100, `only ${report.decoded} inputs decoded`);
  assert.ok(report.rejected > 1000, `only ${report.rejected} inputs rejected`);
});
