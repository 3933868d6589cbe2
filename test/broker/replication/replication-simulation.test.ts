import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplicationSimulation, ReplicationSimulationFailure } from '../../sim/replication-sim.js';
import { replayingOneSeed, simulationSeeds } from '../../sim/sim-seeds.js';

describe('replication simulation (seeded faults, invariants after every event)', () => {
  it('loses no acknowledged record and keeps ISR logs equal below the high watermark', () => {
    const seeds = simulationSeeds('replication simulation', 300);
    const totals: Record<string, number> = {};
    for (const seed of seeds) {
      const sim = new ReplicationSimulation(seed);
      sim.run();
      for (const [k, v] of Object.entries(sim.stats)) totals[k] = (totals[k] ?? 0) + v;
    }
    console.log(`replication simulation: ${seeds.length} seeds ${JSON.stringify(totals)}`);
    if (!replayingOneSeed()) {
      assert.ok(totals.acked! > seeds.length * 20, 'records were acknowledged');
      assert.ok(totals.machineCrashes! > 0, 'unflushed writes were lost');
      assert.ok(totals.shutdowns! > 0, 'brokers shut down in a controlled way');
      assert.ok(totals.truncations! > 0, 'followers truncated');
      assert.ok(totals.elections! > seeds.length, 'leaders moved');
    }
  });

  for (const [rule, name] of [
    ['followerSkipsTruncation', 'a follower that skips truncation (KIP-101)'],
    ['restartsLookClean', 'a controller that keeps uncleanly stopped brokers in the ELR (KIP-966)'],
  ] as const) {
    it(`catches ${name}`, () => {
      let caught: ReplicationSimulationFailure | null = null;
      for (let seed = 1; seed <= 300 && caught === null; seed++) {
        try {
          new ReplicationSimulation(seed, { [rule]: true }).run();
        } catch (e) {
          if (!(e instanceof ReplicationSimulationFailure)) throw e;
          caught = e;
        }
      }
      assert.ok(caught !== null, `no seed of 300 caught ${rule}`);
      console.log(`${rule}: ${caught.message}`);
    });
  }
});
