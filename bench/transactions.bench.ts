/**
 * Transactions against the same broker, same run, as the Strom client uses them:
 *
 * - produce: N records of 1 KiB in transactions of 100 and of 1,000 records (beginTransaction,
 *   the records in sendBatch calls of 100, commitTransaction), against idempotent
 *   non-transactional produce of the same N records as the baseline (acks=all, linger 5 ms,
 *   batch.size 512 KiB, 5 in flight for both, each run to a fresh one-partition topic, the modes'
 *   order turning each round). A transaction adds AddPartitionsToTxn before its first batch and
 *   EndTxn plus the coordinator's markers after its last, and its records cannot be pipelined
 *   past the commit; the figures are committed records/s and the commitTransaction duration
 *   (p50/p99: flushing what is batched, waiting for its acknowledgement, EndTxn).
 * - consume: one partition holding N records in transactions of 1,000 of which every tenth is
 *   aborted, read from the start to its end once read_uncommitted and once read_committed (which
 *   reads to the last stable offset and drops the aborted transactions, as Java's CompletedFetch).
 *   Both read the same log, so the rate is the partition's offsets passed per second (its records,
 *   aborted ones and markers included; read_committed returns 10% fewer records), counted from
 *   the first delivery; the target is read_committed >= 0.95x.
 *
 * The broker is `strom server` in its own process. Prints the figures; the last line is
 * `BENCH_JSON {...}` for the benchmark suite (bench/suite/client-workloads.ts). Asserts nothing.
 *
 * Usage: node dist/bench/transactions.bench.js [--records 100000] [--consume-records 300000] [--rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka } from '../src/client/index.js';
import { arg, median } from './measure.js';
import { startStrom, stopStrom } from './suite/strom-process.js';

const VALUE_BYTES = 1024;
const CHUNK = 100;
/** sendBatch calls in flight for the non-transactional baseline, as bench/idempotence.bench.ts. */
const WINDOW = 32;
/** The consume topic's transactions: this many records each, every ABORT_EVERY-th aborted. */
const CONSUME_TXN = 1000;
const ABORT_EVERY = 10;

type ProduceMode = 'idempotent' | 'txn-100' | 'txn-1000';

export interface ProduceResult {
  mode: ProduceMode;
  recordsPerSec: number;
  spread: [number, number];
  rounds: number;
  /** commitTransaction duration over every transaction of every round, ms (transactional modes). */
  commitP50Ms?: number;
  commitP99Ms?: number;
  transactions?: number;
}

export interface ConsumeResult {
  isolation: 'read_uncommitted' | 'read_committed';
  /** Offsets of the partition (its records, aborted ones and markers included) read per second. */
  recordsPerSec: number;
  spread: [number, number];
  rounds: number;
  /** Records the consumer returned in one read (read_committed leaves the aborted ones out). */
  returned: number;
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

const chunk = Array.from({ length: CHUNK }, () => ({ value: Buffer.alloc(VALUE_BYTES, 7) }));

function producerOptions(transactionalId?: string) {
  return {
    acks: 'all' as const,
    lingerMs: 5,
    batchSize: 512 * 1024,
    maxInFlightRequestsPerConnection: 5,
    ...(transactionalId ? { transactionalId } : {}),
  };
}

async function produceIdempotent(kafka: Kafka, topic: string, records: number): Promise<number> {
  const producer = kafka.producer(producerOptions());
  // The topic's metadata and the producer id are fetched before the clock starts.
  await producer.send(topic, { value: 'warm-up' });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (next < records) {
        const n = Math.min(CHUNK, records - next);
        next += n;
        await producer.sendBatch(topic, n === CHUNK ? chunk : chunk.slice(0, n));
      }
    }),
  );
  const rate = records / ((performance.now() - t0) / 1000);
  await producer.close();
  return rate;
}

/**
 * One transaction of `size` records: its sendBatch calls all go out at once and commitTransaction
 * waits for them, as an application that does not await each send does. `acknowledged` (when
 * filling the consume topic) waits for the records before ending the transaction, so that an
 * aborted transaction's records are in the log and the first sends have the topic's metadata.
 */
async function transaction(
  producer: ReturnType<Kafka['producer']>,
  topic: string,
  size: number,
  acknowledged = false,
  abort = false,
): Promise<number> {
  producer.beginTransaction();
  const sends: Promise<unknown>[] = [];
  for (let sent = 0; sent < size; sent += CHUNK) {
    const n = Math.min(CHUNK, size - sent);
    sends.push(producer.sendBatch(topic, n === CHUNK ? chunk : chunk.slice(0, n)));
  }
  if (acknowledged) await Promise.all(sends);
  if (abort) {
    await producer.abortTransaction();
    return 0;
  }
  const t0 = performance.now();
  await producer.commitTransaction();
  const commitMs = performance.now() - t0;
  await Promise.all(sends);
  return commitMs;
}

async function produceTransactional(
  kafka: Kafka,
  topic: string,
  records: number,
  size: number,
  commits: number[],
): Promise<number> {
  const producer = kafka.producer(producerOptions(`bench-txn-${topic}`));
  // The coordinator, the producer id and the topic's metadata before the clock starts.
  await producer.initTransactions();
  // A send that must first fetch the topic's metadata has not appended its records when it
  // returns, so the warm-up awaits its send before committing.
  producer.beginTransaction();
  await producer.send(topic, { value: 'warm-up' });
  await producer.commitTransaction();
  const t0 = performance.now();
  for (let done = 0; done < records; done += size) {
    commits.push(await transaction(producer, topic, Math.min(size, records - done)));
  }
  const rate = records / ((performance.now() - t0) / 1000);
  await producer.close();
  return rate;
}

/** Fills `topic` with `records` records in transactions of CONSUME_TXN; returns how many committed. */
async function fillConsumeTopic(kafka: Kafka, topic: string, records: number): Promise<number> {
  const producer = kafka.producer(producerOptions(`bench-txn-fill-${topic}`));
  await producer.initTransactions();
  let committed = 0;
  let index = 0;
  for (let done = 0; done < records; done += CONSUME_TXN, index++) {
    const size = Math.min(CONSUME_TXN, records - done);
    // The last transaction is never the aborted one, so both isolation levels end on a record.
    const abort = index % ABORT_EVERY === ABORT_EVERY / 2;
    await transaction(producer, topic, size, true, abort);
    if (!abort) committed += size;
  }
  await producer.close();
  return committed;
}

/**
 * Reads `topic` from its start until `expected` records came back; returns the offsets (the log's
 * records, aborted ones and markers included) passed per second, counted from the first delivery
 * to the last as bench/client.bench.ts counts, so the consumer's connection and first fetch are
 * not what is compared.
 */
async function consume(
  kafka: Kafka,
  topic: string,
  isolation: ConsumeResult['isolation'],
  expected: number,
): Promise<number> {
  const consumer = kafka.consumer({
    autoOffsetReset: 'earliest',
    maxPollRecords: 5000,
    isolationLevel: isolation,
  });
  consumer.assign([{ topic, partition: 0 }]);
  let got = 0;
  let t0 = 0;
  let firstOffset = 0n;
  let lastOffset = 0n;
  while (got < expected) {
    const batch = await consumer.poll({ timeoutMs: 5000 });
    if (batch.length === 0) throw new Error(`${isolation}: no records for 5 s after ${got} of ${expected}`);
    lastOffset = batch[batch.length - 1]!.offset;
    if (got === 0) {
      t0 = performance.now();
      firstOffset = lastOffset;
    }
    got += batch.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  await consumer.close();
  if (got !== expected) throw new Error(`${isolation}: read ${got} records, expected ${expected}`);
  if (lastOffset === firstOffset)
    throw new Error(`${isolation}: everything came in one poll, too few records to time`);
  return Number(lastOffset - firstOffset) / seconds;
}

async function main(): Promise<void> {
  const records = Number(arg('--records', '100000'));
  const consumeRecords = Number(arg('--consume-records', '300000'));
  const rounds = Number(arg('--rounds', '3'));
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`);
  console.log(
    `produce: ${records} records of ${VALUE_BYTES} B per mode, ${rounds} round(s), acks=all, linger 5 ms, batch.size 512 KiB, 5 in flight; ` +
      `consume: ${consumeRecords} records in transactions of ${CONSUME_TXN}, every ${ABORT_EVERY}th aborted`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'strom-bench-transactions-'));
  const broker = await startStrom({ dataDir, overrides: ['num.partitions=1'] });
  const rates: Record<ProduceMode, number[]> = { idempotent: [], 'txn-100': [], 'txn-1000': [] };
  const commits: Record<ProduceMode, number[]> = { idempotent: [], 'txn-100': [], 'txn-1000': [] };
  const consumeRates: Record<ConsumeResult['isolation'], number[]> = {
    read_uncommitted: [],
    read_committed: [],
  };
  let committed = 0;
  try {
    const kafka = new Kafka({
      bootstrapServers: `${broker.host}:${broker.port}`,
      clientId: 'bench-transactions',
    });
    const modes: ProduceMode[] = ['idempotent', 'txn-100', 'txn-1000'];
    for (let round = 0; round < rounds; round++) {
      // The order turns each round, so no mode always meets the page cache another filled.
      const order = modes.map((_, i) => modes[(i + round) % modes.length]!);
      for (const mode of order) {
        const topic = `bench-${mode}-${round}`;
        const rate =
          mode === 'idempotent'
            ? await produceIdempotent(kafka, topic, records)
            : await produceTransactional(
                kafka,
                topic,
                records,
                mode === 'txn-100' ? 100 : 1000,
                commits[mode],
              );
        rates[mode].push(rate);
        console.log(`round ${round} ${mode}: ${Math.round(rate)} records/s`);
      }
    }
    committed = await fillConsumeTopic(kafka, 'bench-consume', consumeRecords);
    for (let round = 0; round < rounds; round++) {
      const order: ConsumeResult['isolation'][] =
        round % 2 === 0 ? ['read_uncommitted', 'read_committed'] : ['read_committed', 'read_uncommitted'];
      for (const isolation of order) {
        const expected = isolation === 'read_committed' ? committed : consumeRecords;
        const rate = await consume(kafka, 'bench-consume', isolation, expected);
        consumeRates[isolation].push(rate);
        console.log(`round ${round} ${isolation}: ${Math.round(rate)} records/s`);
      }
    }
  } finally {
    await stopStrom(broker);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const spread = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];
  const produce: ProduceResult[] = (['idempotent', 'txn-100', 'txn-1000'] as const).map((mode) => ({
    mode,
    recordsPerSec: median(rates[mode]),
    spread: spread(rates[mode]),
    rounds,
    ...(mode === 'idempotent'
      ? {}
      : {
          commitP50Ms: percentile(commits[mode], 50),
          commitP99Ms: percentile(commits[mode], 99),
          transactions: commits[mode].length,
        }),
  }));
  const consumeResults: ConsumeResult[] = (['read_uncommitted', 'read_committed'] as const).map(
    (isolation) => ({
      isolation,
      recordsPerSec: median(consumeRates[isolation]),
      spread: spread(consumeRates[isolation]),
      rounds,
      returned: isolation === 'read_committed' ? committed : consumeRecords,
    }),
  );
  const base = produce[0]!.recordsPerSec;
  for (const p of produce) {
    const commit =
      p.commitP50Ms === undefined
        ? ''
        : `, commitTransaction p50 ${p.commitP50Ms.toFixed(2)} ms, p99 ${p.commitP99Ms!.toFixed(2)} ms (${p.transactions} transactions)`;
    console.log(
      `median ${p.mode}: ${Math.round(p.recordsPerSec)} records/s, ${(p.recordsPerSec / base).toFixed(3)}x idempotent${commit}`,
    );
  }
  const [uncommitted, readCommitted] = consumeResults;
  console.log(
    `median consume: read_uncommitted ${Math.round(uncommitted!.recordsPerSec)} records/s, read_committed ${Math.round(readCommitted!.recordsPerSec)} records/s, ratio ${(readCommitted!.recordsPerSec / uncommitted!.recordsPerSec).toFixed(3)}x`,
  );
  console.log(`BENCH_JSON ${JSON.stringify({ produce, consume: consumeResults })}`);
}

await main();
