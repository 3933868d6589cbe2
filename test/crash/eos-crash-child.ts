// Child process for eos-crash.test.ts: a consume-transform-produce loop with exactly-once
// semantics. It reads `input` under read_committed from the group's committed offsets, and per
// poll, in one transaction, writes "out-<value>" to `output` and commits the consumed offsets with
// sendOffsetsToTransaction. It prints "sent" once a transaction's records and offsets are
// acknowledged, before it commits, and "committed <n>" after each commit; with a `hangAt` of n,
// its n-th transaction never commits (the test SIGKILLs it there, so the kill always finds a
// transaction written and open). It prints "done" once its positions reach the end of the input.
import { Kafka } from '../../src/client/index.js';

const [bootstrap, input, output, groupId, transactionalId, partitionsText, hangAtText] =
  process.argv.slice(2);
const hangAt = hangAtText === undefined ? -1 : Number(hangAtText);
const partitions = Number(partitionsText);
const kafka = new Kafka({ bootstrapServers: bootstrap!, clientId: 'eos-crash-child' });

const producer = kafka.producer({ transactionalId: transactionalId!, lingerMs: 0 });
// Before the consumer reads committed offsets: this fences a previous incarnation and aborts its
// open transaction, whose offsets would otherwise stay pending (UNSTABLE_OFFSET_COMMIT).
await producer.initTransactions();

const admin = kafka.admin();
const ends = await admin.listOffsets(
  Array.from({ length: partitions }, (_, partition) => ({
    topic: input!,
    partition,
    timestamp: 'latest' as const,
  })),
  { isolationLevel: 'read_committed' },
);
await admin.close();

const consumer = kafka.consumer({
  groupId: groupId!,
  isolationLevel: 'read_committed',
  autoCommit: false,
  autoOffsetReset: 'earliest',
  fetchMaxWaitMs: 50,
});
consumer.assign(ends.map((e) => ({ topic: input!, partition: e.partition })));
process.stdout.write('ready\n');

let committed = 0;
const finished = () => ends.every((e) => (consumer.position(e) ?? -1n) >= e.offset);
for (;;) {
  const records = await consumer.poll({ timeoutMs: 500, maxRecords: 20 });
  if (records.length > 0) {
    producer.beginTransaction();
    await producer.sendBatch(
      output!,
      records.map((r) => ({ key: r.key, value: `out-${r.value!.toString()}`, partition: r.partition })),
    );
    const next = new Map<number, bigint>();
    for (const r of records) next.set(r.partition, r.offset + 1n);
    await producer.sendOffsetsToTransaction(
      [...next].map(([partition, offset]) => ({ topic: input!, partition, offset })),
      consumer.groupMetadata(),
    );
    process.stdout.write('sent\n');
    if (committed + 1 === hangAt) await new Promise(() => {});
    await producer.commitTransaction();
    process.stdout.write(`committed ${++committed}\n`);
  }
  if (finished()) break;
}
await consumer.close();
await producer.close();
process.stdout.write('done\n');
