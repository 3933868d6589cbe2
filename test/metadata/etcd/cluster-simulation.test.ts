import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClusterSimulation } from '../../sim/cluster-metadata-sim.js';
import { replayingOneSeed, simulationSeeds } from '../../sim/sim-seeds.js';

describe('cluster metadata simulation (in-memory etcd, seeded faults)', () => {
  it('keeps one writer, one order and one leader per epoch through pauses and delayed watches', async () => {
    const seeds = simulationSeeds('cluster metadata simulation', 12);
    const totals = { pauses: 0, heldWatches: 0, created: 0, refused: 0, controllerChanges: 0 };
    for (const seed of seeds) {
      const sim = new ClusterSimulation(seed);
      await sim.run();
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += sim.stats[k];
    }
    // The runs must have exercised what they claim to test.
    if (!replayingOneSeed()) {
      assert.ok(totals.pauses > 0, 'brokers were paused');
      assert.ok(totals.heldWatches > 0, 'watches were delayed');
      assert.ok(totals.created > 0, 'topics were created');
      assert.ok(totals.refused > 0, 'operations on non-controllers were refused');
      assert.ok(totals.controllerChanges > seeds.length, 'the controller moved');
    }
    console.log(`cluster simulation: ${JSON.stringify(totals)}`);
  });
});
