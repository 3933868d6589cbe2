import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigDef } from '../../../src/common/config-def.js';
import { SeededRandom } from '../../../src/common/random.js';
import { applyMetadataRecord } from '../../../src/metadata/apply-metadata-record.js';
import { AlterConfigOp, alterConfigs } from '../../../src/metadata/controller/alter-configs.js';
import { createPartitions } from '../../../src/metadata/controller/create-partitions.js';
import { type CreatableTopic, createTopics } from '../../../src/metadata/controller/create-topics.js';
import { deleteTopics } from '../../../src/metadata/controller/delete-topics.js';
import type { MetadataRecord } from '../../../src/metadata/controller/metadata-record.js';
import { ConfigResourceType, MetadataImage } from '../../../src/metadata/metadata-image.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';

function imageWithBrokers(...ids: number[]): MetadataImage {
  const image = new MetadataImage();
  for (const brokerId of ids) {
    image.applyBroker({
      brokerId,
      incarnationId: 'x',
      brokerEpoch: 1n,
      endPoints: [],
      rack: null,
      fenced: false,
      inControlledShutdown: false,
    });
  }
  return image;
}

function apply(image: MetadataImage, records: MetadataRecord[]): void {
  for (const r of records) applyMetadataRecord(image, r);
}

const topic = (name: string, over: Partial<CreatableTopic> = {}): CreatableTopic => ({
  name,
  numPartitions: -1,
  replicationFactor: -1,
  assignments: [],
  configs: [],
  ...over,
});
const defaults = { numPartitions: 1, replicationFactor: 1 };
const random = new SeededRandom(42);

describe('controller: CreateTopics', () => {
  it('creates topics with defaults, configs and spread leaders', () => {
    const image = imageWithBrokers(1, 2, 3);
    const res = createTopics(
      image,
      [
        topic('a'),
        topic('b', {
          numPartitions: 6,
          replicationFactor: 3,
          configs: [{ name: 'cleanup.policy', value: 'compact' }],
        }),
      ],
      defaults,
      false,
      random,
    );
    assert.deepEqual(
      res.response.map((r) => [r.name, r.errorCode, r.numPartitions, r.replicationFactor]),
      [
        ['a', 0, 1, 1],
        ['b', 0, 6, 3],
      ],
    );
    apply(image, res.records);
    const b = image.topic('b')!;
    assert.equal(b.partitions.size, 6);
    const leaders = [...b.partitions.values()].map((p) => p.leader);
    assert.deepEqual(new Set(leaders), new Set([1, 2, 3]));
    for (const p of b.partitions.values()) assert.equal(new Set(p.replicas).size, 3);
    assert.equal(image.configsOf(ConfigResourceType.TOPIC, 'b').get('cleanup.policy'), 'compact');
  });

  it("returns Kafka's error codes for each invalid topic, and nothing for validateOnly", () => {
    const image = imageWithBrokers(1);
    apply(image, createTopics(image, [topic('exists'), topic('a.b')], defaults, false, random).records);
    const res = createTopics(
      image,
      [
        topic('dup'),
        topic('dup'),
        topic(''),
        topic('bad/name'),
        topic('exists'),
        topic('a_b'),
        topic('p0', { numPartitions: 0 }),
        topic('rf0', { replicationFactor: 0 }),
        topic('rf2', { replicationFactor: 2 }),
        topic('cfg', { configs: [{ name: 'no.such', value: '1' }] }),
        topic('cfgv', { configs: [{ name: 'retention.ms', value: 'soon' }] }),
        topic('asg', { numPartitions: 2, assignments: [{ partitionIndex: 0, brokerIds: [1] }] }),
        topic('asg2', { assignments: [{ partitionIndex: 0, brokerIds: [9] }] }),
        topic('ok', { numPartitions: 3 }),
      ],
      defaults,
      true,
      random,
    );
    assert.deepEqual(
      res.response.map((r) => [r.name, r.errorCode]),
      [
        ['dup', ErrorCode.INVALID_REQUEST],
        ['dup', ErrorCode.INVALID_REQUEST],
        ['', ErrorCode.INVALID_TOPIC_EXCEPTION],
        ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION],
        ['exists', ErrorCode.TOPIC_ALREADY_EXISTS],
        ['a_b', ErrorCode.INVALID_TOPIC_EXCEPTION],
        ['p0', ErrorCode.INVALID_PARTITIONS],
        ['rf0', ErrorCode.INVALID_REPLICATION_FACTOR],
        ['rf2', ErrorCode.INVALID_REPLICATION_FACTOR],
        ['cfg', ErrorCode.INVALID_CONFIG],
        ['cfgv', ErrorCode.INVALID_CONFIG],
        ['asg', ErrorCode.INVALID_REQUEST],
        ['asg2', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
        ['ok', ErrorCode.NONE],
      ],
    );
    assert.deepEqual(res.records, []);
  });
});

describe('controller: DeleteTopics and CreatePartitions', () => {
  it('deletes by name or id and reports unknown topics', () => {
    const image = imageWithBrokers(1);
    apply(image, createTopics(image, [topic('a'), topic('b')], defaults, false, random).records);
    const idB = image.topic('b')!.topicId;
    const res = deleteTopics(
      image,
      [
        { name: 'a', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' },
        { name: null, topicId: idB },
        { name: 'zz', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' },
        { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
      ],
      true,
    );
    assert.deepEqual(
      res.response.map((r) => [r.name, r.errorCode]),
      [
        ['a', 0],
        ['b', 0],
        ['zz', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        [null, ErrorCode.UNKNOWN_TOPIC_ID],
      ],
    );
    apply(image, res.records);
    assert.equal(image.topicsByName.size, 0);
    const disabled = deleteTopics(image, [{ name: 'a', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], false);
    assert.equal(disabled.response[0]!.errorCode, ErrorCode.TOPIC_DELETION_DISABLED);
  });

  it('grows a topic and refuses to shrink it', () => {
    const image = imageWithBrokers(1);
    apply(image, createTopics(image, [topic('a', { numPartitions: 2 })], defaults, false, random).records);
    const res = createPartitions(
      image,
      [
        { name: 'a', count: 5, assignments: null },
        { name: 'zz', count: 5, assignments: null },
      ],
      false,
      random,
    );
    assert.deepEqual(
      res.response.map((r) => r.errorCode),
      [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    );
    apply(image, res.records);
    assert.equal(image.topic('a')!.partitions.size, 5);
    const shrink = createPartitions(image, [{ name: 'a', count: 3, assignments: null }], false, random);
    assert.equal(shrink.response[0]!.errorCode, ErrorCode.INVALID_PARTITIONS);
    const same = createPartitions(image, [{ name: 'a', count: 5, assignments: null }], false, random);
    assert.equal(same.response[0]!.errorCode, ErrorCode.INVALID_PARTITIONS);
  });
});

describe('controller: configs', () => {
  const broker = { def: new ConfigDef(), isDynamic: () => true, nodeId: 1 };

  it('sets, appends, subtracts and deletes topic configs incrementally', () => {
    const image = imageWithBrokers(1);
    apply(image, createTopics(image, [topic('t')], defaults, false, random).records);
    const change = (configs: { name: string; value: string | null; op: number }[]) => {
      const res = alterConfigs(
        image,
        [{ resourceType: ConfigResourceType.TOPIC, resourceName: 't', configs }],
        true,
        false,
        broker,
      );
      apply(image, res.records);
      return res.response[0]!.errorCode;
    };
    assert.equal(change([{ name: 'retention.ms', value: '1000', op: AlterConfigOp.SET }]), 0);
    assert.equal(change([{ name: 'cleanup.policy', value: 'compact', op: AlterConfigOp.APPEND }]), 0);
    const t = () => Object.fromEntries(image.configsOf(ConfigResourceType.TOPIC, 't'));
    assert.deepEqual(t(), { 'retention.ms': '1000', 'cleanup.policy': 'delete,compact' });
    assert.equal(change([{ name: 'cleanup.policy', value: 'delete', op: AlterConfigOp.SUBTRACT }]), 0);
    assert.equal(change([{ name: 'retention.ms', value: null, op: AlterConfigOp.DELETE }]), 0);
    assert.deepEqual(t(), { 'cleanup.policy': 'compact' });
    assert.equal(
      change([{ name: 'retention.ms', value: 'x', op: AlterConfigOp.SET }]),
      ErrorCode.INVALID_CONFIG,
    );
    assert.equal(change([{ name: 'nope', value: '1', op: AlterConfigOp.SET }]), ErrorCode.INVALID_CONFIG);
    assert.equal(
      change([{ name: 'retention.ms', value: '1', op: AlterConfigOp.APPEND }]),
      ErrorCode.INVALID_REQUEST,
    );
    const unknown = alterConfigs(
      image,
      [{ resourceType: ConfigResourceType.TOPIC, resourceName: 'zz', configs: [] }],
      true,
      false,
      broker,
    );
    assert.equal(unknown.response[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('replaces the whole set of overrides with the legacy AlterConfigs', () => {
    const image = imageWithBrokers(1);
    apply(
      image,
      createTopics(
        image,
        [topic('t', { configs: [{ name: 'retention.ms', value: '5' }] })],
        defaults,
        false,
        random,
      ).records,
    );
    const res = alterConfigs(
      image,
      [
        {
          resourceType: ConfigResourceType.TOPIC,
          resourceName: 't',
          configs: [{ name: 'segment.ms', value: '100', op: 0 }],
        },
      ],
      false,
      false,
      broker,
    );
    apply(image, res.records);
    assert.deepEqual(Object.fromEntries(image.configsOf(ConfigResourceType.TOPIC, 't')), {
      'segment.ms': '100',
    });
  });
});
