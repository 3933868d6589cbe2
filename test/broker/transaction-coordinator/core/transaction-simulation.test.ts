import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulationSeeds } from '../../../sim/sim-seeds.js';
import { TxnSimulation } from '../../../sim/txn-sim.js';

const seeds = (): number[] => simulationSeeds('transaction simulation', 150);

describe('transaction coordinator simulation', () => {
  it('replays a seed exactly', () => {
    const a = new TxnSimulation(7);
    a.run();
    const b = new TxnSimulation(7);
    b.run();
    assert.equal(a.fingerprint(), b.fingerprint());
  });

  it('keeps transactions atomic under zombies, client and coordinator crashes and timeouts', () => {
    const totals = {
      events: 0,
      restarts: 0,
      lostAppends: 0,
      commitsAcked: 0,
      abortsAcked: 0,
      fenced: 0,
      timedOut: 0,
      zombieWritesRefused: 0,
    };
    for (const seed of seeds()) {
      const sim = new TxnSimulation(seed);
      sim.run();
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += sim.stats[k];
    }
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) assert.ok(totals[k] > 0, `${k} happened`);
    console.log(`transaction simulation: ${JSON.stringify(totals)}`);
  });
});
