// Which seeds a simulation test runs: a fixed set in every run, so CI is reproducible;
// SIM_SEEDS=N adds N fresh ones from a printed base (SIM_SEED_BASE sets it) to explore;
// SIM_SEED=n replays exactly one seed, the one a failure message names.
export function simulationSeeds(name: string, fixedSeeds: number): number[] {
  const one = process.env.SIM_SEED;
  if (one !== undefined) return [Number(one)];
  const out = Array.from({ length: fixedSeeds }, (_, i) => i + 1);
  const extra = Number(process.env.SIM_SEEDS ?? 0);
  if (extra > 0) {
    const base = Number(process.env.SIM_SEED_BASE ?? 1_000_000 + (Date.now() % 1_000_000_000));
    console.log(`${name}: ${extra} extra seeds from ${base}`);
    for (let i = 0; i < extra; i++) out.push(base + i);
  }
  return out;
}

/** True when the run replays one seed, so aggregate "the run exercised X" checks do not apply. */
export function replayingOneSeed(): boolean {
  return process.env.SIM_SEED !== undefined;
}
