import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed, assertPartitionsConsumed } from './helpers/compat-records.js';
import { compileJavaCompat, javaCompat } from './helpers/java-client.js';
import { kcatConsume, kcatProduce, python } from './helpers/run-client.js';

/**
 * Apache Kafka's Java client, kafka-clients 3.9 (the producer, consumer and admin under every JVM
 * application, Kafka Streams and Connect), running java/JavaCompat.java: AdminClient topic
 * administration; a producer with Java's defaults (idempotent since Kafka 3.0: InitProducerId, then
 * acks=all) over 3 partitions, the classic group consumer reading every partition and a second
 * member resuming after the first one's commits; and every codec in both directions with kcat,
 * the Java side again with its default (idempotent) producer.
 */

const PARTITIONS = 3;
const COUNT = 3000;

describe('Java client (kafka-clients 3.9)', () => {
  let broker: BrokerProcess;
  before(async () => {
    await compileJavaCompat();
    broker = await BrokerProcess.start({ overrides: { 'group.initial.rebalance.delay.ms': '0' } });
  });
  after(async () => {
    await broker?.close();
  });

  test('AdminClient: create with a config, list, describe topic, configs and producers, add partitions, delete', async () => {
    const out = JSON.parse(await javaCompat(['admin', broker.bootstrap, 'java-admin']));
    assert.deepEqual(out, {
      after_delete: false,
      cluster: true,
      grown: 5,
      internal: false,
      leader: 1,
      listed: true,
      nodes: [1],
      partitions: [0, 1, 2],
      producer_epoch: 0,
      producer_last_sequence: 2,
      producers: 1,
      'retention.ms': '3600000',
    });
  });

  test('3,000 records from the idempotent default producer over 3 partitions: the group consumer reads them all; a new member resumes after the commits', async () => {
    const topic = 'java-records';
    await python('kafka_python_compat.py', ['create', broker.bootstrap, topic, PARTITIONS]);
    await javaCompat(['produce', broker.bootstrap, topic, COUNT, 'none', PARTITIONS, 'default']);
    const first = await javaCompat(['group-consume', broker.bootstrap, topic, 'java-group', COUNT]);
    assertPartitionsConsumed(first, COUNT, {
      partitions: PARTITIONS,
      headers: true,
      label: 'Java group consumer',
    });
    await javaCompat(['produce', broker.bootstrap, topic, 300, 'none', PARTITIONS, 'default']);
    const second = await javaCompat(['group-consume', broker.bootstrap, topic, 'java-group', 300]);
    assertPartitionsConsumed(second, 300, {
      partitions: PARTITIONS,
      headers: true,
      firstOffset: COUNT / PARTITIONS,
      label: 'Java resuming member',
    });
  });

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
    test(`${codec}: Java produces, kcat reads; kcat produces, Java reads`, async () => {
      await javaCompat(['produce', broker.bootstrap, `java-${codec}`, 1000, codec, 1, 'default']);
      assertConsumed(await kcatConsume(broker.bootstrap, `java-${codec}`), 1000, {
        headers: true,
        label: `kcat reading Java ${codec}`,
      });
      await kcatProduce(broker.bootstrap, `java-kcat-${codec}`, 1000, codec);
      const out = await javaCompat(['consume', broker.bootstrap, `java-kcat-${codec}`, 1000]);
      assertConsumed(out, 1000, { headers: true, label: `Java reading kcat ${codec}` });
    });
  }

  test('negotiated versions', (t) => {
    for (const role of ['admin', 'producer', 'consumer', 'group']) {
      t.diagnostic(`Java ${role}: ${broker.describeVersions(`compat-java-${role}`)}`);
    }
    const v = (role: string, api: string) => broker.versionsUsedBy(`compat-java-${role}`).get(api);
    assert.deepEqual(v('producer', 'InitProducerId'), [5]);
    assert.deepEqual(v('producer', 'Produce'), [11]);
    assert.deepEqual(v('consumer', 'Fetch'), [17]);
    assert.deepEqual(v('group', 'JoinGroup'), [9]);
    assert.deepEqual(v('group', 'OffsetCommit'), [9]);
    assert.deepEqual(v('group', 'LeaveGroup'), [5]);
    assert.deepEqual(v('admin', 'CreateTopics'), [7]);
    assert.deepEqual(v('admin', 'DescribeProducers'), [0]);
  });
});
