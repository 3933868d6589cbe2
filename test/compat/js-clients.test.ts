import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kafkajsModule from 'kafkajs';
import {
  Admin,
  IncrementalAlterConfigOperationTypes,
  ConfigResourceTypes as PlatformaticResourceTypes,
  ProduceAcks,
  Producer,
} from '../peers/platformatic-kafka.js';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed } from './helpers/compat-records.js';
import {
  KAFKAJS_CLIENT_ID,
  kafkajs,
  kafkajsProduce,
  PLATFORMATIC_CLIENT_ID,
  platformaticConsume,
  platformaticProduce,
} from './helpers/js-clients.js';
import { kcatConsume } from './helpers/run-client.js';

/**
 * kafkajs and @platformatic/kafka against a real broker process. kafkajs's consumer only works in a
 * group, so what kafkajs produces is read by kcat and @platformatic/kafka here; kafkajs reads in
 * groups.test.ts.
 */

const COUNT = 10_000;
// kafkajs is CommonJS and Node cannot see this enum as a named export.
const { ConfigResourceTypes } = kafkajsModule;

describe('kafkajs', () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await BrokerProcess.start();
  });
  after(async () => {
    await broker.close();
  });

  test('admin: create with configs, metadata, describe and alter configs, add partitions, delete', async () => {
    const admin = kafkajs(broker.bootstrap).admin();
    await admin.connect();
    try {
      const created = await admin.createTopics({
        topics: [
          {
            topic: 'js-admin',
            numPartitions: 2,
            configEntries: [{ name: 'retention.ms', value: '3600000' }],
          },
        ],
      });
      assert.equal(created, true);
      const meta = await admin.fetchTopicMetadata({ topics: ['js-admin'] });
      assert.deepEqual(meta.topics[0]?.partitions.map((p) => [p.partitionId, p.leader]).sort(), [
        [0, 1],
        [1, 1],
      ]);
      const describe = async () => {
        const res = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: 'js-admin',
              configNames: ['retention.ms', 'segment.bytes'],
            },
          ],
        });
        return Object.fromEntries(res.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
      };
      assert.deepEqual(await describe(), { 'retention.ms': '3600000', 'segment.bytes': '1073741824' });
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: 'js-admin',
            configEntries: [{ name: 'segment.bytes', value: '10485760' }],
          },
        ],
      });
      // AlterConfigs replaces the whole set of dynamic configs: retention.ms returns to its default.
      assert.deepEqual(await describe(), { 'retention.ms': '604800000', 'segment.bytes': '10485760' });
      await admin.createPartitions({ topicPartitions: [{ topic: 'js-admin', count: 3 }] });
      const grown = await admin.fetchTopicMetadata({ topics: ['js-admin'] });
      assert.equal(grown.topics[0]?.partitions.length, 3);
      await admin.deleteTopics({ topics: ['js-admin'] });
      assert.ok(!(await admin.listTopics()).includes('js-admin'));
    } finally {
      await admin.disconnect();
    }
  });

  test('10,000 keyed records with headers and null values, read by kcat and @platformatic/kafka', async () => {
    await kafkajsProduce(broker.bootstrap, 'js-kafkajs', COUNT, 'none');
    assertConsumed(await kcatConsume(broker.bootstrap, 'js-kafkajs'), COUNT, {
      headers: true,
      label: 'kcat reading kafkajs',
    });
    assertConsumed(await platformaticConsume(broker.bootstrap, 'js-kafkajs', COUNT), COUNT, {
      headers: true,
      label: '@platformatic/kafka reading kafkajs',
    });
  });

  test('DeleteRecords (deleteTopicRecords) moves the log start offset', async () => {
    await kafkajsProduce(broker.bootstrap, 'js-delete-records', 100, 'none');
    const admin = kafkajs(broker.bootstrap).admin();
    await admin.connect();
    try {
      // kafkajs finds the partition leader from metadata it must have loaded first.
      await admin.fetchTopicMetadata({ topics: ['js-delete-records'] });
      await admin.deleteTopicRecords({
        topic: 'js-delete-records',
        partitions: [{ partition: 0, offset: '40' }],
      });
      const offsets = await admin.fetchTopicOffsets('js-delete-records');
      assert.deepEqual(offsets, [{ partition: 0, offset: '100', high: '100', low: '40' }]);
    } finally {
      await admin.disconnect();
    }
    const out = await kcatConsume(broker.bootstrap, 'js-delete-records');
    const offsets = out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => Number(l.split('\t')[0]));
    assert.deepEqual(
      offsets,
      Array.from({ length: 60 }, (_, i) => 40 + i),
    );
  });

  test('ListOffsets by timestamp (fetchTopicOffsetsByTimestamp)', async () => {
    // An hour ago: old enough to be in the past, recent enough that retention.ms keeps it.
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const producer = kafkajs(broker.bootstrap).producer();
    await producer.connect();
    await producer.send({
      topic: 'js-times',
      acks: -1,
      messages: Array.from({ length: 10 }, (_, i) => ({
        key: `key-${i}`,
        value: `value-${i}`,
        partition: 0,
        timestamp: String(base + i * 1000),
      })),
    });
    await producer.disconnect();
    const admin = kafkajs(broker.bootstrap).admin();
    await admin.connect();
    try {
      const at = async (ts: number) =>
        (await admin.fetchTopicOffsetsByTimestamp('js-times', ts)).map((p) => [p.partition, p.offset]);
      assert.deepEqual(await at(base + 3500), [[0, '4']]);
      assert.deepEqual(await at(base), [[0, '0']]);
      // No record at or after the timestamp: Kafka answers -1 and kafkajs maps that to the end offset.
      assert.deepEqual(await at(base + 60_000), [[0, '10']]);
    } finally {
      await admin.disconnect();
    }
  });

  test('negotiated versions', (t) => {
    t.diagnostic(`kafkajs: ${broker.describeVersions(KAFKAJS_CLIENT_ID)}`);
    const used = broker.versionsUsedBy(KAFKAJS_CLIENT_ID);
    assert.deepEqual(used.get('Produce'), [7]);
    assert.ok(used.has('DeleteRecords') && used.has('DescribeConfigs') && used.has('AlterConfigs'));
  });
});

describe('@platformatic/kafka', () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await BrokerProcess.start();
  });
  after(async () => {
    await broker.close();
  });

  test('admin: create, list, metadata, add partitions, delete', async () => {
    const admin = new Admin({ clientId: PLATFORMATIC_CLIENT_ID, bootstrapBrokers: [broker.bootstrap] });
    try {
      const created = await admin.createTopics({ topics: ['pk-admin'], partitions: 2, replicas: 1 });
      assert.deepEqual(
        created.map((c) => [c.name, c.partitions]),
        [['pk-admin', 2]],
      );
      assert.ok((await admin.listTopics()).includes('pk-admin'));
      await admin.createPartitions({ topics: [{ name: 'pk-admin', count: 5 }] });
      const meta = await admin.metadata({ topics: ['pk-admin'], forceUpdate: true });
      assert.equal(meta.topics.get('pk-admin')?.partitionsCount, 5);
      assert.deepEqual([...meta.brokers.keys()], [1]);
      await admin.deleteTopics({ topics: ['pk-admin'] });
      assert.ok(!(await admin.listTopics()).includes('pk-admin'));
    } finally {
      await admin.close();
    }
  });

  test('IncrementalAlterConfigs (set, append, delete), DescribeConfigs v4, DescribeLogDirs v4', async () => {
    const admin = new Admin({ clientId: PLATFORMATIC_CLIENT_ID, bootstrapBrokers: [broker.bootstrap] });
    try {
      await admin.createTopics({ topics: ['pk-configs'], partitions: 1, replicas: 1 });
      const describe = async () => {
        const [d] = await admin.describeConfigs({
          resources: [
            {
              resourceType: PlatformaticResourceTypes.TOPIC,
              resourceName: 'pk-configs',
              configurationKeys: ['retention.ms', 'cleanup.policy'],
            },
          ],
        });
        return Object.fromEntries(d!.configs.map((c) => [c.name, c.value]));
      };
      assert.deepEqual(await describe(), { 'retention.ms': '604800000', 'cleanup.policy': 'delete' });
      const alter = (
        configs: Parameters<Admin['incrementalAlterConfigs']>[0]['resources'][number]['configs'],
      ) =>
        admin.incrementalAlterConfigs({
          resources: [{ resourceType: PlatformaticResourceTypes.TOPIC, resourceName: 'pk-configs', configs }],
        });
      await alter([
        { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '60000' },
        {
          name: 'cleanup.policy',
          configOperation: IncrementalAlterConfigOperationTypes.APPEND,
          value: 'compact',
        },
      ]);
      assert.deepEqual(await describe(), { 'retention.ms': '60000', 'cleanup.policy': 'delete,compact' });
      // Incremental: deleting one key leaves the other as it was.
      await alter([{ name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.DELETE }]);
      assert.deepEqual(await describe(), { 'retention.ms': '604800000', 'cleanup.policy': 'delete,compact' });

      const [logDirs] = await admin.describeLogDirs({ topics: [{ name: 'pk-configs', partitions: [0] }] });
      assert.equal(logDirs!.broker, 1);
      assert.equal(logDirs!.results.length, 1);
      assert.deepEqual(
        logDirs!.results[0]!.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]),
        [['pk-configs', [0]]],
      );
    } finally {
      await admin.close();
    }
  });

  test('ListOffsets v9 (earliest, latest, max timestamp, by timestamp) and DeleteRecords v2', async () => {
    const base = BigInt(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    const producer = new Producer({
      clientId: PLATFORMATIC_CLIENT_ID,
      bootstrapBrokers: [broker.bootstrap],
      autocreateTopics: true,
    });
    try {
      await producer.send({
        acks: ProduceAcks.ALL,
        messages: Array.from({ length: 10 }, (_, i) => ({
          topic: 'pk-offsets',
          partition: 0,
          key: Buffer.from(`key-${i}`),
          value: Buffer.from(`value-${i}`),
          // Record 4 carries the largest timestamp, in the middle of the batch.
          timestamp: base + BigInt(i === 4 ? 50_000 : i * 1000),
        })),
      });
    } finally {
      await producer.close();
    }
    const admin = new Admin({ clientId: PLATFORMATIC_CLIENT_ID, bootstrapBrokers: [broker.bootstrap] });
    try {
      const at = async (timestamp: bigint) => {
        const [t] = await admin.listOffsets({
          topics: [{ name: 'pk-offsets', partitions: [{ partitionIndex: 0, timestamp }] }],
        });
        const p = t!.partitions[0]!;
        return [p.offset, p.timestamp];
      };
      assert.deepEqual(await at(-1n), [10n, -1n]);
      assert.deepEqual(await at(-2n), [0n, -1n]);
      assert.deepEqual(await at(base + 2500n), [3n, base + 3000n]);
      assert.deepEqual(await at(base + 60_000n), [-1n, -1n]);
      // KIP-734's MAX_TIMESTAMP names the record itself (KAFKA-16310).
      assert.deepEqual(await at(-3n), [4n, base + 50_000n]);
      const [deleted] = await admin.deleteRecords({
        topics: [{ name: 'pk-offsets', partitions: [{ partition: 0, offset: 4n }] }],
      });
      assert.deepEqual(deleted!.partitions, [{ partition: 0, lowWatermark: 4n }]);
      assert.deepEqual(await at(-2n), [4n, -1n]);
    } finally {
      await admin.close();
    }
  });

  test('10,000 keyed records with headers and null values round-trip (Produce v11, Fetch v17)', async () => {
    await platformaticProduce(broker.bootstrap, 'pk-roundtrip', COUNT, 'none');
    assertConsumed(await platformaticConsume(broker.bootstrap, 'pk-roundtrip', COUNT), COUNT, {
      headers: true,
      label: '@platformatic/kafka',
    });
    assertConsumed(await kcatConsume(broker.bootstrap, 'pk-roundtrip'), COUNT, {
      headers: true,
      label: 'kcat reading @platformatic/kafka',
    });
  });

  test('negotiated versions: the newest flexible versions', (t) => {
    t.diagnostic(`@platformatic/kafka: ${broker.describeVersions(PLATFORMATIC_CLIENT_ID)}`);
    const used = broker.versionsUsedBy(PLATFORMATIC_CLIENT_ID);
    assert.deepEqual(used.get('Produce'), [11]);
    assert.deepEqual(used.get('Fetch'), [17]);
  });
});
