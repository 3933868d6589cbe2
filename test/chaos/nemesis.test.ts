import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Prng } from '../helpers/prng.js';
import { FAULT_DESCRIPTIONS, FAULT_KINDS, planFaults } from './nemesis.js';

describe('the chaos nemesis plan', () => {
  it('is the same for the same seed, so a printed seed replays a trial', () => {
    const a = planFaults(new Prng(42), FAULT_KINDS, 20);
    const b = planFaults(new Prng(42), FAULT_KINDS, 20);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, planFaults(new Prng(43), FAULT_KINDS, 20));
  });

  it('draws only the kinds asked for, with bounded fault and quiet times', () => {
    const plan = planFaults(new Prng(7), ['kill', 'pause'], 200);
    assert.deepEqual(new Set(plan.map((f) => f.kind)), new Set(['kill', 'pause']));
    for (const f of plan) {
      assert.ok(f.durationMs >= 1000 && f.durationMs < 5000);
      assert.ok(f.quietMs >= 1000 && f.quietMs < 3000);
    }
    assert.throws(() => planFaults(new Prng(7), [], 1), /no fault kinds/);
  });

  it('describes every fault kind', () => {
    for (const k of FAULT_KINDS) assert.ok(FAULT_DESCRIPTIONS[k].length > 0);
  });
});
