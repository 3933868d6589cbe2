import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupSimulation } from '../../../sim/group-sim.js';
import { simulationSeeds } from '../../../sim/sim-seeds.js';

const seeds = (): number[] => simulationSeeds('group simulation', 200);

describe('group coordinator simulation', () => {
  it('replays a seed exactly', () => {
    const a = new GroupSimulation(7);
    a.run();
    const b = new GroupSimulation(7);
    b.run();
    assert.equal(a.fingerprint(), b.fingerprint());
    assert.notEqual(
      a.fingerprint(),
      (() => {
        const c = new GroupSimulation(8);
        c.run();
        return c.fingerprint();
      })(),
    );
  });

  it('keeps its invariants under joins, leaves, crashes, slow members and restarts', () => {
    const totals = {
      events: 0,
      restarts: 0,
      lostAppends: 0,
      commitsAcked: 0,
      staleRejected: 0,
      rebalances: 0,
    };
    for (const seed of seeds()) {
      const sim = new GroupSimulation(seed);
      sim.run();
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += sim.stats[k];
    }
    // The runs must have exercised what they claim to test.
    assert.ok(totals.restarts > 0, 'coordinator restarts happened');
    assert.ok(totals.lostAppends > 0, 'restarts lost unflushed appends');
    assert.ok(totals.commitsAcked > 0, 'commits were acknowledged');
    assert.ok(totals.staleRejected > 0, 'stale commits were rejected');
    assert.ok(totals.rebalances > 0, 'groups rebalanced');
    console.log(`group simulation: ${JSON.stringify(totals)}`);
  });
});
