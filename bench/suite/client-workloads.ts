import { fileURLToPath } from 'node:url';
import { runBenchScript } from './child-processes.js';
import type { SuiteContext } from './suite-context.js';

/**
 * The clients: bench/client.bench.ts runs Strom's client, kafkajs and @platformatic/kafka against
 * one Strom broker, each in its own process; this section runs it and records its figures with
 * Strom's client as the baseline of the others.
 */
interface ClientRun {
  client: 'strom' | 'kafkajs' | 'platformatic';
  compression: string;
  produceRecordsPerSec: number;
  produceMBPerSec: number;
  p99Ms: number;
  consumeRecordsPerSec: number | null;
  consumeNote?: string;
  rssPeakMB: number;
  rounds?: number;
  produceSpread?: [number, number];
  consumeSpread?: [number, number];
}

const SCRIPT = fileURLToPath(new URL('../client.bench.js', import.meta.url));
const NAMES = { strom: 'Strom client', kafkajs: 'kafkajs', platformatic: '@platformatic/kafka' };

export async function runClients(ctx: SuiteContext): Promise<void> {
  // The full run uses the size the client's targets are stated for; --quick only checks it all runs.
  const records = ctx.quick ? 20_000 : 1_000_000;
  // Medians of three rounds in a full run: one run of each client can be off by a third on a shared machine.
  const rounds = ctx.quick ? 1 : 3;
  ctx.progress(
    `clients: ${records} records each, ${rounds} round(s), Strom client, kafkajs, @platformatic/kafka, none and lz4`,
  );
  const parsed = await runBenchScript<{
    broker: ClientRun[];
    nullBroker: ClientRun[];
  }>(ctx, 'clients', SCRIPT, ['--records', String(records), '--rounds', String(rounds)]);
  if (!parsed) return;
  record(ctx, parsed.broker, '');
  // Against a broker that acknowledges without storing, the figures are the clients' own cost.
  record(ctx, parsed.nullBroker, 'null broker');
}

/** `, median of N rounds, min-max` when the figure is a median. */
function spread(rounds: number | undefined, range: [number, number] | undefined): string {
  if (!rounds || rounds < 2 || !range) return '';
  return `, median of ${rounds} rounds, ${Math.round(range[0])}-${Math.round(range[1])} records/s`;
}

function record(ctx: SuiteContext, runs: ClientRun[], against: string): void {
  const idPart = against ? 'null-broker.' : '';
  const suffix = against ? `, ${against}` : '';
  for (const r of runs) {
    const strom = runs.find((s) => s.client === 'strom' && s.compression === r.compression);
    const base = r.client !== 'strom' && strom ? strom : undefined;
    ctx.rec.add({
      section: 'clients',
      id: `clients.${idPart}${r.client}.${r.compression}.produce`,
      label: `${NAMES[r.client]} produce, compression ${r.compression}${suffix}`,
      system: r.client,
      value: r.produceRecordsPerSec,
      unit: 'records/s',
      ...(base ? { baseline: { label: 'Strom client', value: base.produceRecordsPerSec } } : {}),
      note: `${r.produceMBPerSec.toFixed(0)} MB/s, ack p99 ${r.p99Ms.toFixed(1)} ms, peak RSS ${r.rssPeakMB.toFixed(0)} MB${spread(r.rounds, r.produceSpread)}`,
    });
    if (against) continue;
    if (r.consumeRecordsPerSec === null) {
      ctx.rec.skip(`${NAMES[r.client]} consume (${r.compression})`, r.consumeNote ?? 'no figure');
      continue;
    }
    ctx.rec.add({
      section: 'clients',
      id: `clients.${r.client}.${r.compression}.consume`,
      label: `${NAMES[r.client]} consume, compression ${r.compression}`,
      system: r.client,
      value: r.consumeRecordsPerSec,
      unit: 'records/s',
      ...(base?.consumeRecordsPerSec
        ? { baseline: { label: 'Strom client', value: base.consumeRecordsPerSec } }
        : {}),
      ...(r.consumeSpread ? { note: spread(r.rounds, r.consumeSpread).slice(2) } : {}),
    });
  }
}

const IDEMPOTENCE_SCRIPT = fileURLToPath(new URL('../idempotence.bench.js', import.meta.url));

interface IdempotenceRun {
  mode: 'plain' | 'idempotent';
  recordsPerSec: number;
  spread: [number, number];
  rounds: number;
}

/**
 * bench/idempotence.bench.ts: the Strom client's idempotent produce against its plain produce
 * (acks=all, 5 in flight) in the same run, plain as the baseline (target: at least 0.95x).
 */
export async function runIdempotence(ctx: SuiteContext): Promise<void> {
  const records = ctx.quick ? 20_000 : 500_000;
  const rounds = ctx.quick ? 1 : 3;
  ctx.progress(`idempotence: ${records} records per mode, ${rounds} round(s), plain and idempotent produce`);
  const parsed = await runBenchScript<{
    plain: IdempotenceRun;
    idempotent: IdempotenceRun;
  }>(ctx, 'idempotence', IDEMPOTENCE_SCRIPT, ['--records', String(records), '--rounds', String(rounds)]);
  if (!parsed) return;
  const { plain, idempotent } = parsed;
  const label = (r: IdempotenceRun) => `Strom client ${r.mode} produce, acks=all, 5 in flight`;
  ctx.rec.add({
    section: 'clients',
    id: 'clients.strom.acks-all.plain.produce',
    label: label(plain),
    system: 'strom',
    value: plain.recordsPerSec,
    unit: 'records/s',
    note: spread(plain.rounds, plain.spread).slice(2) || 'one round',
  });
  ctx.rec.add({
    section: 'clients',
    id: 'clients.strom.acks-all.idempotent.produce',
    label: label(idempotent),
    system: 'strom',
    value: idempotent.recordsPerSec,
    unit: 'records/s',
    baseline: { label: 'plain produce', value: plain.recordsPerSec },
    note: spread(idempotent.rounds, idempotent.spread).slice(2) || 'one round',
  });
}

const SECURITY_SCRIPT = fileURLToPath(new URL('../security.bench.js', import.meta.url));

interface SecurityRun {
  mode: 'plaintext' | 'ssl' | 'sasl_ssl';
  recordsPerSec: number;
  spread: [number, number];
  rounds: number;
  setupP50Ms: number;
  setupP99Ms: number;
  connections: number;
}

const SECURITY_LABELS: Record<SecurityRun['mode'], string> = {
  plaintext: 'PLAINTEXT',
  ssl: 'SSL (TLS)',
  sasl_ssl: 'SASL_SSL (TLS + SCRAM-SHA-256)',
};

/**
 * bench/security.bench.ts: the Strom client's produce over SSL and SASL_SSL against PLAINTEXT in the
 * same run (target: at least 0.7x), and the connection set-up time of each (TLS handshake, SCRAM).
 */
export async function runSecurity(ctx: SuiteContext): Promise<void> {
  const records = ctx.quick ? 20_000 : 300_000;
  const rounds = ctx.quick ? 1 : 3;
  const connections = ctx.quick ? 20 : 200;
  ctx.progress(`security: ${records} records per mode, ${rounds} round(s), PLAINTEXT, SSL and SASL_SSL`);
  const parsed = await runBenchScript<{ results: SecurityRun[] }>(ctx, 'security', SECURITY_SCRIPT, [
    '--records',
    String(records),
    '--rounds',
    String(rounds),
    '--connections',
    String(connections),
  ]);
  if (!parsed) return;
  const { results } = parsed;
  const plain = results.find((r) => r.mode === 'plaintext')!;
  for (const r of results) {
    ctx.rec.add({
      section: 'clients',
      id: `clients.strom.security.${r.mode}.produce`,
      label: `Strom client produce over ${SECURITY_LABELS[r.mode]}, acks=all`,
      system: 'strom',
      value: r.recordsPerSec,
      unit: 'records/s',
      ...(r.mode === 'plaintext'
        ? {}
        : { baseline: { label: 'PLAINTEXT produce', value: plain.recordsPerSec } }),
      note: spread(r.rounds, r.spread).slice(2) || 'one round',
    });
    ctx.rec.add({
      section: 'clients',
      id: `clients.strom.security.${r.mode}.setup-p50`,
      label: `Connection set-up over ${SECURITY_LABELS[r.mode]}, p50`,
      system: 'strom',
      value: r.setupP50Ms,
      unit: 'ms',
      note: `${r.connections} connections, p99 ${r.setupP99Ms.toFixed(2)} ms`,
    });
  }
}

const ACLS_SCRIPT = fileURLToPath(new URL('../acls.bench.js', import.meta.url));

interface AclsRun {
  mode: 'none' | 'acls';
  recordsPerSec: number;
  spread: [number, number];
  rounds: number;
  acls: number;
}

/**
 * bench/acls.bench.ts: the Strom client's produce to a broker with the StandardAuthorizer and
 * 10,000 ACLs against one without an authorizer, in the same run (target: at least 0.97x).
 */
export async function runAcls(ctx: SuiteContext): Promise<void> {
  const records = ctx.quick ? 20_000 : 300_000;
  const rounds = ctx.quick ? 1 : 3;
  ctx.progress(`acls: ${records} records per mode, ${rounds} round(s), no authorizer and 10,000 ACLs`);
  const parsed = await runBenchScript<{ results: AclsRun[] }>(ctx, 'acls', ACLS_SCRIPT, [
    '--records',
    String(records),
    '--rounds',
    String(rounds),
    '--acls',
    '10000',
  ]);
  if (!parsed) return;
  const none = parsed.results.find((r) => r.mode === 'none')!;
  const acls = parsed.results.find((r) => r.mode === 'acls')!;
  ctx.rec.add({
    section: 'clients',
    id: 'clients.strom.acls.produce',
    label: `Strom client produce with ${acls.acls.toLocaleString('en-US')} ACLs (StandardAuthorizer), acks=all`,
    system: 'strom',
    value: acls.recordsPerSec,
    unit: 'records/s',
    baseline: { label: 'produce without an authorizer', value: none.recordsPerSec },
    note: spread(acls.rounds, acls.spread).slice(2) || 'one round',
  });
}

const TRANSACTIONS_SCRIPT = fileURLToPath(new URL('../transactions.bench.js', import.meta.url));

interface TransactionsProduceRun {
  mode: 'idempotent' | 'txn-100' | 'txn-1000';
  recordsPerSec: number;
  spread: [number, number];
  rounds: number;
  commitP50Ms?: number;
  commitP99Ms?: number;
  transactions?: number;
}

interface TransactionsConsumeRun {
  isolation: 'read_uncommitted' | 'read_committed';
  recordsPerSec: number;
  spread: [number, number];
  rounds: number;
  returned: number;
}

/**
 * bench/transactions.bench.ts: the Strom client's transactional produce in transactions of 100
 * and 1,000 records against idempotent produce of the same records (the baseline), with the
 * commitTransaction duration; read_committed against read_uncommitted consume of one partition
 * holding committed and aborted transactions (target: at least 0.95x).
 */
export async function runTransactions(ctx: SuiteContext): Promise<void> {
  const records = ctx.quick ? 5_000 : 100_000;
  const consumeRecords = ctx.quick ? 20_000 : 300_000;
  const rounds = ctx.quick ? 1 : 3;
  ctx.progress(
    `transactions: ${records} records per mode, ${rounds} round(s), idempotent and transactions of 100 and 1000; read_committed and read_uncommitted consume of ${consumeRecords}`,
  );
  const parsed = await runBenchScript<{
    produce: TransactionsProduceRun[];
    consume: TransactionsConsumeRun[];
  }>(ctx, 'transactions', TRANSACTIONS_SCRIPT, [
    '--records',
    String(records),
    '--consume-records',
    String(consumeRecords),
    '--rounds',
    String(rounds),
  ]);
  if (!parsed) return;
  const { produce, consume } = parsed;
  const idempotent = produce.find((r) => r.mode === 'idempotent')!;
  for (const r of produce) {
    const size = r.mode === 'txn-100' ? 100 : 1000;
    const commit =
      r.commitP50Ms === undefined
        ? ''
        : `commitTransaction p50 ${r.commitP50Ms.toFixed(2)} ms, p99 ${(r.commitP99Ms ?? 0).toFixed(2)} ms over ${r.transactions} transactions; `;
    ctx.rec.add({
      section: 'clients',
      id: `clients.strom.transactions.${r.mode}.produce`,
      label:
        r.mode === 'idempotent'
          ? 'Strom client idempotent produce, acks=all, 5 in flight (transactions baseline)'
          : `Strom client transactional produce, ${size} records per transaction, committed records`,
      system: 'strom',
      value: r.recordsPerSec,
      unit: 'records/s',
      ...(r.mode === 'idempotent'
        ? {}
        : { baseline: { label: 'idempotent produce', value: idempotent.recordsPerSec } }),
      note: commit + (spread(r.rounds, r.spread).slice(2) || 'one round'),
    });
  }
  const uncommitted = consume.find((r) => r.isolation === 'read_uncommitted')!;
  for (const r of consume) {
    ctx.rec.add({
      section: 'clients',
      id: `clients.strom.transactions.${r.isolation}.consume`,
      label: `Strom client ${r.isolation} consume, one partition with every 10th transaction aborted, offsets read`,
      system: 'strom',
      value: r.recordsPerSec,
      unit: 'records/s',
      ...(r.isolation === 'read_committed'
        ? { baseline: { label: 'read_uncommitted consume', value: uncommitted.recordsPerSec } }
        : {}),
      note: `${r.returned} records returned; ${spread(r.rounds, r.spread).slice(2) || 'one round'}`,
    });
  }
}
