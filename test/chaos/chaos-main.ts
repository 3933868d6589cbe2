import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ClientKind, runTrial, type TrialResult } from './chaos-trial.js';
import { formatReport } from './history-checker.js';
import { FAULT_DESCRIPTIONS, FAULT_KINDS, type FaultKind } from './nemesis.js';

/**
 * npm run test:chaos -- --trials N --seed S: chaos trials on a cluster of three real brokers and
 * etcd, each judged by the history checker. Trial i uses seed S + i; a violation (or a consumer that
 * stalled: clients must ride through the faults) prints the seed that replays it and the exit code
 * is 1 (2 for a trial that could not run: a harness failure).
 */

const USAGE = `usage: npm run test:chaos -- [options]
  --trials N               trials to run (default 1)
  --seed S                 seed of the first trial (default: random; trial i uses S + i)
  --faults K               faults per trial (default 5)
  --kinds a,b              fault kinds to draw from (default all):
${FAULT_KINDS.map((k) => `                             ${k}: ${FAULT_DESCRIPTIONS[k]}`).join('\n')}
  --clients a,b            workload drivers: strom, python (confluent-kafka-python), kafkajs
                           (default strom,python,kafkajs)
  --replication-factor R   of the workload's topic (default 3)
  --min-insync-replicas M  of the topic when R > 1 (default 2)
  --partitions P           of the topic (default 6)
  --json FILE              write every trial's result as JSON to FILE
  --quick                  the short version run in CI: 1 trial of 4 faults (kill, pause, isolate, etcd-stop)`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function int(name: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}`);
  return n;
}

function list<T extends string>(
  name: string,
  v: string | undefined,
  all: readonly T[],
  dflt: readonly T[],
): T[] {
  if (v === undefined) return [...dflt];
  const items = v.split(',').filter(Boolean);
  for (const i of items)
    if (!all.includes(i as T)) fail(`--${name}: unknown ${i} (one of ${all.join(', ')})`);
  return items as T[];
}

const { values } = parseArgs({
  options: {
    trials: { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'string' },
    kinds: { type: 'string' },
    clients: { type: 'string' },
    'replication-factor': { type: 'string' },
    'min-insync-replicas': { type: 'string' },
    partitions: { type: 'string' },
    json: { type: 'string' },
    quick: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const quick = values.quick === true;
const trials = int('trials', values.trials, 1, 1);
const seed = int('seed', values.seed, Math.floor(Math.random() * 0x7fffffff), 0);
const faults = int('faults', values.faults, quick ? 4 : 5, 0);
const kinds = list<FaultKind>(
  'kinds',
  values.kinds,
  FAULT_KINDS,
  quick ? ['kill', 'pause', 'isolate', 'etcd-stop'] : FAULT_KINDS,
);
const clients = list<ClientKind>(
  'clients',
  values.clients,
  ['strom', 'python', 'kafkajs'],
  ['strom', 'python', 'kafkajs'],
);
const replicationFactor = int('replication-factor', values['replication-factor'], 3, 1);
const minInsyncReplicas = int('min-insync-replicas', values['min-insync-replicas'], 2, 1);
const partitions = int('partitions', values.partitions, 6, 1);
if (replicationFactor > 3) fail('--replication-factor: the cluster has three brokers');

const replay = (s: number): string =>
  `npm run test:chaos -- --trials 1 --seed ${s} --faults ${faults} --kinds ${kinds.join(',')} ` +
  `--clients ${clients.join(',')} --replication-factor ${replicationFactor} --partitions ${partitions}` +
  (replicationFactor > 1 ? ` --min-insync-replicas ${minInsyncReplicas}` : '');

console.log(
  `chaos: ${trials} trial(s) from seed ${seed}, ${faults} faults each from ${kinds.join(',')}, ` +
    `clients ${clients.join(',')}, replication factor ${replicationFactor}` +
    (replicationFactor > 1 ? `, min.insync.replicas ${minInsyncReplicas}` : '') +
    `, ${partitions} partitions`,
);
const results: (TrialResult | { seed: number; error: string })[] = [];
let violations = 0;
let stalls = 0;
let broken = 0;
for (let i = 0; i < trials; i++) {
  const trialSeed = seed + i;
  console.log(`trial ${i + 1}/${trials} seed ${trialSeed}`);
  const started = Date.now();
  try {
    const r = await runTrial({
      seed: trialSeed,
      faults,
      kinds,
      clients,
      replicationFactor,
      minInsyncReplicas,
      partitions,
      log: (line) => console.log(line),
    });
    results.push(r);
    for (const s of r.skippedKinds) console.log(`  (skipped ${s})`);
    console.log(
      formatReport(r.check)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    console.log(`  ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (!r.check.valid) violations++;
    else if (r.check.stalled.length > 0) stalls++;
    if (!r.check.valid || r.check.stalled.length > 0) console.log(`  replay: ${replay(trialSeed)}`);
  } catch (err) {
    broken++;
    results.push({ seed: trialSeed, error: String((err as Error).stack ?? err) });
    console.log(`  trial failed to run: ${(err as Error).message}\n  replay: ${replay(trialSeed)}`);
  }
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `chaos: ${trials - violations - stalls - broken} valid, ${violations} with violations, ` +
    `${stalls} valid but with a consumer that did not ride through, ${broken} failed to run`,
);
process.exit(violations + stalls > 0 ? 1 : broken > 0 ? 2 : 0);
