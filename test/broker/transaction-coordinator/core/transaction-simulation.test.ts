import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TxnSimulation } from '../../../sim/txn-sim.js';

// A fixed set of seeds runs in every test run; SIM_SEEDS=N adds N fresh ones (their base is
// printed), and SIM_SEED=n replays a single seed exactly.
const FIXED_SEEDS = 150;

function seeds(): number[] {
  const one = process.env.SIM_SEED;
  if (one !== undefined) return [Number(one)];
  const out = Array.from({ length: FIXED_SEEDS }, (_, i) => i + 1);
  const extra = Number(process.env.SIM_SEEDS ?? 0);
  if (extra > 0) {
    const base = Number(process.env.SIM_SEED_BASE ?? 1_000_000 + (Date.now() % 1_000_000_000));
    console.log(`transaction simulation: ${extra} extra seeds from ${base}`);
    for (let i = 0; i < extra; i++) out.push(base + i);
  }
  return out;
}

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
