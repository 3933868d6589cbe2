import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess } from './helpers/broker-process.js';
import { compileJavaCompat, javaCompat } from './helpers/java-client.js';
import { kafkajs } from './helpers/js-clients.js';
import { python } from './helpers/run-client.js';

/**
 * Transactions of real clients against a broker process: the Java client's exactly-once pattern
 * (a transactional producer with sendOffsetsToTransaction under a read_committed group consumer,
 * some transactions aborted and redone) and kafkajs transactions committed and aborted, each read
 * back by the Java client's read_committed consumer.
 */

const PARTITIONS = 3;
const COUNT = 600;

/** Values read from every partition by the Java client under `isolation`, counted. */
async function javaRead(bootstrap: string, topic: string, isolation: 'read_committed' | 'read_uncommitted') {
  const out = await javaCompat(['read-committed', bootstrap, topic, PARTITIONS, isolation]);
  const counts = new Map<string, number>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const value = line.split('\t')[1]!;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}

describe('transactions of real clients', () => {
  let broker: BrokerProcess;
  before(async () => {
    await compileJavaCompat();
    broker = await BrokerProcess.start({ overrides: { 'group.initial.rebalance.delay.ms': '0' } });
  });
  after(async () => {
    await broker?.close();
  });

  test('Java exactly-once: every input record is in the output once under read_committed, aborted transactions redone', async () => {
    await python('kafka_python_compat.py', ['create', broker.bootstrap, 'eos-java-in', PARTITIONS]);
    await python('kafka_python_compat.py', ['create', broker.bootstrap, 'eos-java-out', PARTITIONS]);
    await javaCompat(['produce', broker.bootstrap, 'eos-java-in', COUNT, 'none', PARTITIONS, 'default']);
    const summary = await javaCompat([
      'eos',
      broker.bootstrap,
      'eos-java-in',
      'eos-java-out',
      'eos-java',
      COUNT,
      3,
    ]);
    const [, committed, , aborted] = summary.trim().split(' ').map(Number);
    assert.ok(committed! > 0 && aborted! > 0, summary);
    const inputs = await javaRead(broker.bootstrap, 'eos-java-in', 'read_committed');
    const outputs = await javaRead(broker.bootstrap, 'eos-java-out', 'read_committed');
    const expected = [...inputs.keys()].map((v) => `out-${v}`).sort();
    // Values repeat in the input (null values read as NULL), so compare counts, not sets.
    for (const [v, n] of inputs) assert.equal(outputs.get(`out-${v}`), n, `out-${v}`);
    assert.deepEqual([...outputs.keys()].sort(), expected);
    const uncommitted = await javaRead(broker.bootstrap, 'eos-java-out', 'read_uncommitted');
    const total = [...uncommitted.values()].reduce((a, b) => a + b, 0);
    assert.ok(total > COUNT, `the aborted transactions' records are in the log (${total} records)`);
  });

  test('kafkajs transactions: committed ones are read under read_committed, aborted ones are not', async () => {
    await python('kafka_python_compat.py', ['create', broker.bootstrap, 'txn-kafkajs', PARTITIONS]);
    const producer = kafkajs(broker.bootstrap).producer({
      transactionalId: 'compat-kafkajs-txn',
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
    });
    await producer.connect();
    try {
      for (let t = 0; t < 6; t++) {
        const txn = await producer.transaction();
        await txn.send({
          topic: 'txn-kafkajs',
          messages: Array.from({ length: PARTITIONS }, (_, partition) => ({
            value: `t${t}-p${partition}`,
            partition,
          })),
        });
        if (t % 2 === 0) await txn.commit();
        else await txn.abort();
      }
    } finally {
      await producer.disconnect();
    }
    const committed = await javaRead(broker.bootstrap, 'txn-kafkajs', 'read_committed');
    const want = [0, 2, 4].flatMap((t) => Array.from({ length: PARTITIONS }, (_, p) => `t${t}-p${p}`));
    assert.deepEqual([...committed.keys()].sort(), want.sort());
    assert.ok([...committed.values()].every((n) => n === 1));
    const all = await javaRead(broker.bootstrap, 'txn-kafkajs', 'read_uncommitted');
    assert.equal(all.size, 6 * PARTITIONS);
  });
});
