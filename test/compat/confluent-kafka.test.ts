import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed } from './helpers/compat-records.js';
import { kcatConsume, python } from './helpers/run-client.js';

/**
 * confluent-kafka-python (librdkafka through Python) against a real broker process: metadata, the
 * AdminClient (CreateTopics, DescribeConfigs, AlterConfigs, CreatePartitions, DeleteTopics) and a
 * 10,000-record round trip with every codec read back by kcat.
 */

const SCRIPT = 'confluent_kafka_compat.py';
const COUNT = 10_000;

describe('confluent-kafka-python', () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await BrokerProcess.start();
  });
  after(async () => {
    await broker.close();
  });

  test('metadata names this broker and the topic partition', async () => {
    await python(SCRIPT, ['produce', broker.bootstrap, 'cf-meta', 1, 'none']);
    const meta = JSON.parse(await python(SCRIPT, ['metadata', broker.bootstrap, 'cf-meta']));
    assert.deepEqual(meta, { brokers: [1], partitions: [0] });
  });

  test('AdminClient: create, describe and alter configs, add partitions, delete', async () => {
    const out = JSON.parse(await python(SCRIPT, ['admin', broker.bootstrap, 'cf-admin']));
    assert.deepEqual(out, {
      listed: true,
      'cleanup.policy': 'compact',
      'retention.ms.default': true,
      'retention.ms': '7200000',
      // AlterConfigs (not incremental) replaces the whole set: cleanup.policy falls back to its default.
      'cleanup.policy.after_alter': 'delete',
      'broker.num.partitions': '1',
      grown: 4,
      after_delete: false,
    });
  });

  test('10,000 keyed records with headers and null values round-trip', async () => {
    await python(SCRIPT, ['produce', broker.bootstrap, 'cf-roundtrip', COUNT, 'none']);
    const out = await python(SCRIPT, ['consume', broker.bootstrap, 'cf-roundtrip', COUNT]);
    assertConsumed(out, COUNT, { headers: true, label: 'confluent-kafka-python' });
  });

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
    test(`${codec}: produced by confluent-kafka-python, read by kcat`, async () => {
      await python(SCRIPT, ['produce', broker.bootstrap, `cf-${codec}`, 2000, codec]);
      assertConsumed(await kcatConsume(broker.bootstrap, `cf-${codec}`), 2000, {
        headers: true,
        label: `kcat reading confluent ${codec}`,
      });
    });
  }

  test('keyed records spread over 8 partitions; kafka-python reads every partition', async () => {
    await python('kafka_python_compat.py', ['create', broker.bootstrap, 'cf-partitions', 8]);
    await python(SCRIPT, ['produce-keyed', broker.bootstrap, 'cf-partitions', COUNT]);
    const out = await python('kafka_python_compat.py', [
      'consume-all',
      broker.bootstrap,
      'cf-partitions',
      COUNT,
    ]);
    const partitionOf = new Map<string, string>();
    for (const line of out.split('\n').filter((l) => l !== '')) {
      const [partition, key] = line.split('\t');
      assert.ok(!partitionOf.has(key!), `${key} read once`);
      partitionOf.set(key!, partition!);
    }
    assert.equal(partitionOf.size, COUNT);
    // librdkafka's default partitioner hashes keys: every partition gets some.
    assert.equal(new Set(partitionOf.values()).size, 8);
  });

  test('negotiated versions', (t) => {
    t.diagnostic(`confluent-kafka-python: ${broker.describeVersions('compat-confluent')}`);
    const used = broker.versionsUsedBy('compat-confluent');
    assert.deepEqual(used.get('Produce'), [7]);
    assert.deepEqual(used.get('Fetch'), [11]);
    assert.ok(used.has('DescribeConfigs') && used.has('AlterConfigs') && used.has('CreatePartitions'));
  });
});
