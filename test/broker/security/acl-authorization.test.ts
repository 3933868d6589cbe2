import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import {
  AclOperation as Op,
  AclPatternType as Pattern,
  AclPermissionType as Perm,
  AclResourceType as Res,
} from '../../../src/metadata/acl/acl-binding.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { decodeResponse, encodeRequest } from '../../../src/protocol/frame.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { type CapturedLine, captureLogger } from '../../helpers/capture-logger.js';
import { RawClient } from '../../helpers/raw-client.js';

const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
const USERS = ['admin', 'alice', 'bob', 'carol'] as const;
type User = (typeof USERS)[number];

/** A connection authenticated with SASL PLAIN, sending requests in order. */
class Session {
  private correlation = 1;
  private constructor(private readonly c: RawClient) {}

  static async open(bootstrap: string, user: User): Promise<Session> {
    const s = new Session(await RawClient.open(bootstrap));
    const hs = await s.call<{ errorCode: number }>(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' });
    assert.equal(hs.errorCode, 0);
    const auth = await s.call<{ errorCode: number }>(ApiKey.SaslAuthenticate, 2, {
      authBytes: Buffer.from(`\u0000${user}\u0000${user}-secret`),
    });
    assert.equal(auth.errorCode, 0);
    return s;
  }

  async call<T>(apiKey: number, version: number, body: unknown): Promise<T> {
    const id = this.correlation++;
    this.c.write(encodeRequest(apiKey, version, id, 'acl-test', body as never));
    const frame = await this.c.readFrame(10_000);
    if (!frame) throw new Error('connection closed by broker');
    return decodeResponse(apiKey, version, frame).body as T;
  }

  close(): void {
    this.c.close();
  }
}

const batch = () =>
  encodeRecordBatch({
    baseTimestamp: 1_700_000_000_000n,
    records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('v'), headers: [] }],
  });

const allow = (
  resourceType: number,
  resourceName: string,
  operation: number,
  principal = 'User:alice',
  patternType: number = Pattern.LITERAL,
  permissionType: number = Perm.ALLOW,
) => ({
  resourceType,
  resourceName,
  resourcePatternType: patternType,
  principal,
  host: '*',
  operation,
  permissionType,
});

// biome-ignore lint/suspicious/noExplicitAny: responses of many APIs, read through the extractor of each row
type Body = any;

interface Row {
  readonly api: string;
  readonly key: number;
  readonly version: number;
  readonly body: () => unknown;
  /** The error code the request got where authorization would fail it. */
  readonly code: (res: Body) => number;
  readonly denied: number;
}

const firstPartition = (res: Body, list = 'topics', parts = 'partitions') => res[list][0][parts][0].errorCode;

/**
 * Every API the broker serves, asked by bob (no ACLs: denied with Kafka's code) and by alice (the
 * ACLs below: allowed, so whatever the request answers it is not the authorization failure).
 */
const ROWS: Row[] = [
  {
    api: 'Produce',
    key: ApiKey.Produce,
    version: 9,
    body: () => ({
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ name: 'orders', partitionData: [{ index: 0, records: batch() }] }],
    }),
    code: (r) => r.responses[0].partitionResponses[0].errorCode,
    denied: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  },
  {
    api: 'Produce (transactional id)',
    key: ApiKey.Produce,
    version: 9,
    body: () => ({
      transactionalId: 'tx',
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ name: 'orders', partitionData: [{ index: 0, records: batch() }] }],
    }),
    code: (r) => r.responses[0].partitionResponses[0].errorCode,
    denied: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  },
  {
    api: 'Fetch',
    key: ApiKey.Fetch,
    version: 12,
    body: () => ({
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      topics: [
        { topic: 'orders', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] },
      ],
    }),
    code: (r) => firstPartition(r, 'responses'),
    denied: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  },
  {
    api: 'ListOffsets',
    key: ApiKey.ListOffsets,
    version: 7,
    body: () => ({
      replicaId: -1,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    }),
    code: (r) => firstPartition(r),
    denied: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  },
  {
    api: 'Metadata',
    key: ApiKey.Metadata,
    version: 12,
    body: () => ({
      topics: [{ name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
      allowAutoTopicCreation: false,
    }),
    code: (r) => r.topics[0].errorCode,
    denied: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  },
  {
    api: 'OffsetForLeaderEpoch',
    key: ApiKey.OffsetForLeaderEpoch,
    version: 4,
    body: () => ({
      replicaId: -1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
    }),
    code: (r) => firstPartition(r),
    denied: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  },
  {
    api: 'CreateTopics',
    key: ApiKey.CreateTopics,
    version: 7,
    body: () => ({
      topics: [{ name: 'alice-new', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: true,
    }),
    code: (r) => r.topics[0].errorCode,
    denied: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  },
  {
    api: 'CreatePartitions',
    key: ApiKey.CreatePartitions,
    version: 3,
    body: () => ({
      topics: [{ name: 'orders', count: 2, assignments: null }],
      timeoutMs: 5000,
      validateOnly: true,
    }),
    code: (r) => r.results[0].errorCode,
    denied: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  },
  {
    api: 'DeleteRecords',
    key: ApiKey.DeleteRecords,
    version: 2,
    body: () => ({
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 0n }] }],
      timeoutMs: 5000,
    }),
    code: (r) => firstPartition(r),
    denied: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  },
  {
    api: 'DescribeConfigs (topic)',
    key: ApiKey.DescribeConfigs,
    version: 4,
    body: () => ({ resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: null }] }),
    code: (r) => r.results[0].errorCode,
    denied: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  },
  {
    api: 'DescribeConfigs (broker)',
    key: ApiKey.DescribeConfigs,
    version: 4,
    body: () => ({ resources: [{ resourceType: 4, resourceName: '1', configurationKeys: null }] }),
    code: (r) => r.results[0].errorCode,
    denied: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  },
  {
    api: 'IncrementalAlterConfigs (topic)',
    key: ApiKey.IncrementalAlterConfigs,
    version: 1,
    body: () => ({
      resources: [
        {
          resourceType: 2,
          resourceName: 'orders',
          configs: [{ name: 'retention.ms', configOperation: 0, value: '100000' }],
        },
      ],
      validateOnly: true,
    }),
    code: (r) => r.responses[0].errorCode,
    denied: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  },
  {
    api: 'AlterConfigs (broker)',
    key: ApiKey.AlterConfigs,
    version: 2,
    body: () => ({ resources: [{ resourceType: 4, resourceName: '1', configs: [] }], validateOnly: true }),
    code: (r) => r.responses[0].errorCode,
    denied: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  },
  {
    api: 'FindCoordinator (group)',
    key: ApiKey.FindCoordinator,
    version: 4,
    body: () => ({ keyType: 0, coordinatorKeys: ['g1'] }),
    code: (r) => r.coordinators[0].errorCode,
    denied: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  },
  {
    api: 'FindCoordinator (transaction)',
    key: ApiKey.FindCoordinator,
    version: 3,
    body: () => ({ key: 'tx', keyType: 1 }),
    code: (r) => r.errorCode,
    denied: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  },
  {
    api: 'JoinGroup',
    key: ApiKey.JoinGroup,
    version: 5,
    body: () => ({
      groupId: 'g1',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    }),
    code: (r) => r.errorCode,
    denied: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  },
  {
    api: 'SyncGroup',
    key: ApiKey.SyncGroup,
    version: 3,
    body: () => ({ groupId: 'g1', generationId: 1, memberId: 'm', groupInstanceId: null, assignments: [] }),
    code: (r) => r.errorCode,
    denied: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  },
  {
    api: 'Heartbeat',
    key: ApiKey.Heartbeat,
    version: 3,
    body: () => ({ groupId: 'g1', generationId: 1, memberId: 'm', groupInstanceId: null }),
    code: (r) => r.errorCode,
    denied: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  },
  {
    api: 'LeaveGroup',
    key: ApiKey.LeaveGroup,
    version: 3,
    body: () => ({ groupId: 'g1', members: [{ memberId: 'm', groupInstanceId: null }] }),
    code: (r) => r.errorCode,
    denied: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  },
  {
    api: 'OffsetCommit',
    key: ApiKey.OffsetCommit,
    version: 8,
    body: () => ({
      groupId: 'g1',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 0n, committedMetadata: '' }] },
      ],
    }),
    code: (r) => firstPartition(r),
    denied: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  },
  {
    api: 'OffsetFetch',
    key: ApiKey.OffsetFetch,
    version: 7,
    body: () => ({ groupId: 'g1', topics: [{ name: 'orders', partitionIndexes: [0] }] }),
    code: (r) => r.errorCode,
    denied: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  },
  {
    api: 'OffsetDelete',
    key: ApiKey.OffsetDelete,
    version: 0,
    body: () => ({ groupId: 'g1', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }] }),
    code: (r) => r.errorCode,
    denied: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  },
  {
    api: 'DescribeGroups',
    key: ApiKey.DescribeGroups,
    version: 5,
    body: () => ({ groups: ['g1'], includeAuthorizedOperations: true }),
    code: (r) => r.groups[0].errorCode,
    denied: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  },
  {
    api: 'DeleteGroups',
    key: ApiKey.DeleteGroups,
    version: 2,
    body: () => ({ groupsNames: ['g-empty'] }),
    code: (r) => r.results[0].errorCode,
    denied: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  },
  {
    api: 'InitProducerId (transactional)',
    key: ApiKey.InitProducerId,
    version: 4,
    body: () => ({ transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 }),
    code: (r) => r.errorCode,
    denied: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  },
  {
    api: 'InitProducerId (idempotent)',
    key: ApiKey.InitProducerId,
    version: 4,
    body: () => ({ transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 }),
    code: (r) => r.errorCode,
    denied: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  },
  {
    api: 'AddPartitionsToTxn',
    key: ApiKey.AddPartitionsToTxn,
    version: 3,
    body: () => ({
      v3AndBelowTransactionalId: 'tx',
      v3AndBelowProducerId: 0n,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [{ name: 'orders', partitions: [0] }],
    }),
    code: (r) => r.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode,
    denied: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  },
  {
    api: 'AddPartitionsToTxn (from a broker)',
    key: ApiKey.AddPartitionsToTxn,
    version: 4,
    body: () => ({ transactions: [] }),
    code: (r) => r.errorCode,
    denied: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  },
  {
    api: 'AddOffsetsToTxn',
    key: ApiKey.AddOffsetsToTxn,
    version: 3,
    body: () => ({ transactionalId: 'tx', producerId: 0n, producerEpoch: 0, groupId: 'g1' }),
    code: (r) => r.errorCode,
    denied: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  },
  {
    api: 'EndTxn',
    key: ApiKey.EndTxn,
    version: 3,
    body: () => ({ transactionalId: 'tx', producerId: 0n, producerEpoch: 0, committed: false }),
    code: (r) => r.errorCode,
    denied: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  },
  {
    api: 'TxnOffsetCommit',
    key: ApiKey.TxnOffsetCommit,
    version: 3,
    body: () => ({
      transactionalId: 'tx',
      groupId: 'g1',
      producerId: 0n,
      producerEpoch: 0,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 0n, committedMetadata: '' }] },
      ],
    }),
    code: (r) => firstPartition(r),
    denied: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  },
  {
    api: 'WriteTxnMarkers',
    key: ApiKey.WriteTxnMarkers,
    version: 1,
    body: () => ({
      markers: [
        {
          producerId: 77n,
          producerEpoch: 0,
          transactionResult: false,
          topics: [{ name: 'orders', partitionIndexes: [0] }],
          coordinatorEpoch: 0,
        },
      ],
    }),
    code: (r) => r.markers[0].topics[0].partitions[0].errorCode,
    denied: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  },
  {
    api: 'DescribeTransactions',
    key: ApiKey.DescribeTransactions,
    version: 0,
    body: () => ({ transactionalIds: ['tx'] }),
    code: (r) => r.transactionStates[0].errorCode,
    denied: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  },
  {
    api: 'DescribeProducers',
    key: ApiKey.DescribeProducers,
    version: 0,
    body: () => ({ topics: [{ name: 'orders', partitionIndexes: [0] }] }),
    code: (r) => firstPartition(r),
    denied: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  },
  {
    api: 'DescribeLogDirs',
    key: ApiKey.DescribeLogDirs,
    version: 4,
    body: () => ({ topics: null }),
    code: (r) => r.errorCode,
    denied: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  },
  {
    api: 'DescribeUserScramCredentials',
    key: ApiKey.DescribeUserScramCredentials,
    version: 0,
    body: () => ({ users: null }),
    code: (r) => r.errorCode,
    denied: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  },
  {
    api: 'AlterUserScramCredentials',
    key: ApiKey.AlterUserScramCredentials,
    version: 0,
    body: () => ({ deletions: [{ name: 'nobody', mechanism: 1 }], upsertions: [] }),
    code: (r) => r.results[0].errorCode,
    denied: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  },
  {
    api: 'DescribeAcls',
    key: ApiKey.DescribeAcls,
    version: 3,
    body: () => ({
      resourceTypeFilter: Res.ANY,
      resourceNameFilter: null,
      patternTypeFilter: Pattern.ANY,
      principalFilter: null,
      hostFilter: null,
      operation: Op.ANY,
      permissionType: Perm.ANY,
    }),
    code: (r) => r.errorCode,
    denied: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  },
  {
    api: 'CreateAcls',
    key: ApiKey.CreateAcls,
    version: 3,
    body: () => ({ creations: [allow(Res.TOPIC, 'by-alice', Op.READ, 'User:dave')] }),
    code: (r) => r.results[0].errorCode,
    denied: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  },
  {
    api: 'DeleteAcls',
    key: ApiKey.DeleteAcls,
    version: 3,
    body: () => ({
      filters: [
        {
          resourceTypeFilter: Res.TOPIC,
          resourceNameFilter: 'by-alice',
          patternTypeFilter: Pattern.LITERAL,
          principalFilter: null,
          hostFilter: null,
          operation: Op.ANY,
          permissionType: Perm.ANY,
        },
      ],
    }),
    code: (r) => r.filterResults[0].errorCode,
    denied: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  },
];

/** What alice is allowed: enough for every row above. */
const ALICE_ACLS = [
  allow(Res.TOPIC, 'orders', Op.ALL),
  allow(Res.TOPIC, 'alice-', Op.ALL, 'User:alice', Pattern.PREFIXED),
  allow(Res.GROUP, 'g', Op.ALL, 'User:alice', Pattern.PREFIXED),
  allow(Res.TRANSACTIONAL_ID, 'tx', Op.WRITE),
  allow(Res.TRANSACTIONAL_ID, 'tx', Op.DESCRIBE),
  allow(Res.CLUSTER, 'kafka-cluster', Op.DESCRIBE),
  allow(Res.CLUSTER, 'kafka-cluster', Op.ALTER),
  allow(Res.CLUSTER, 'kafka-cluster', Op.DESCRIBE_CONFIGS),
  allow(Res.CLUSTER, 'kafka-cluster', Op.ALTER_CONFIGS),
  allow(Res.CLUSTER, 'kafka-cluster', Op.CLUSTER_ACTION),
];

describe('ACL authorization (StandardAuthorizer)', () => {
  let broker: StartedBroker;
  let logDir: string;
  const lines: CapturedLine[] = [];
  const sessions: Session[] = [];
  const config = () => ({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    'inter.broker.listener.name': 'SASL_PLAINTEXT',
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    'sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required ${USERS.map((u) => `user_${u}="${u}-secret"`).join(' ')};`,
    'authorizer.class.name': STANDARD_AUTHORIZER,
    'super.users': 'User:admin;User:root',
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.num.partitions': '1',
    'group.initial.rebalance.delay.ms': '0',
  });
  const bootstrap = () => `127.0.0.1:${broker.broker.listeners[0]!.boundPort}`;
  const as = async (user: User): Promise<Session> => {
    const s = await Session.open(bootstrap(), user);
    sessions.push(s);
    return s;
  };

  before(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'strom-acl-'));
    broker = await startBroker({ logDir, logger: captureLogger(lines), config: config() });
    const admin = await as('admin');
    const created = await admin.call<Body>(ApiKey.CreateTopics, 7, {
      topics: ['orders', 'secret', 'app-1', 'app-secret'].map((name) => ({
        name,
        numPartitions: 1,
        replicationFactor: 1,
        assignments: [],
        configs: [],
      })),
      timeoutMs: 5000,
    });
    assert.deepEqual(
      created.topics.map((t: Body) => t.errorCode),
      [0, 0, 0, 0],
    );
    const acls = await admin.call<Body>(ApiKey.CreateAcls, 3, { creations: ALICE_ACLS });
    assert.deepEqual(
      acls.results.map((r: Body) => r.errorCode),
      ALICE_ACLS.map(() => 0),
    );
  });

  after(async () => {
    for (const s of sessions) s.close();
    await broker?.close();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  it('answers every API Kafka authorizes with its authorization error when denied, and serves it when allowed', async () => {
    const bob = await as('bob');
    const alice = await as('alice');
    for (const row of ROWS) {
      const denied = row.code(await bob.call<Body>(row.key, row.version, row.body()));
      assert.equal(denied, row.denied, `${row.api} as bob`);
      const allowed = row.code(await alice.call<Body>(row.key, row.version, row.body()));
      assert.notEqual(allowed, row.denied, `${row.api} as alice`);
    }
  });

  it('lets super users do anything, and logs denials with principal, operation, resource and host', async () => {
    const admin = await as('admin');
    const md = await admin.call<Body>(ApiKey.Metadata, 12, { topics: [{ name: 'secret' }] });
    assert.equal(md.topics[0].errorCode, 0);
    const bob = await as('bob');
    const before = lines.length;
    await bob.call<Body>(ApiKey.Metadata, 12, { topics: [{ name: 'secret' }] });
    const denial = lines.slice(before).find((l) => l.msg === 'Principal is Denied operation');
    assert.ok(denial, 'a denial is logged');
    assert.equal(denial.fields.principal, 'User:bob');
    assert.equal(denial.fields.operation, 'DESCRIBE');
    assert.equal(denial.fields.resource, 'TOPIC:LITERAL:secret');
    assert.equal(denial.fields.host, '127.0.0.1');
  });

  it('hides from Metadata the topics a principal may not describe, and fills in authorized operations', async () => {
    const alice = await as('alice');
    const md = await alice.call<Body>(ApiKey.Metadata, 10, {
      topics: null,
      includeClusterAuthorizedOperations: true,
      includeTopicAuthorizedOperations: true,
    });
    assert.deepEqual(
      md.topics.map((t: Body) => t.name),
      ['orders'],
    );
    const bits = (...ops: number[]) => ops.reduce((b, op) => b | (1 << op), 0);
    assert.equal(
      md.topics[0].topicAuthorizedOperations,
      bits(
        Op.READ,
        Op.WRITE,
        Op.CREATE,
        Op.DELETE,
        Op.ALTER,
        Op.DESCRIBE,
        Op.DESCRIBE_CONFIGS,
        Op.ALTER_CONFIGS,
      ),
    );
    assert.equal(
      md.clusterAuthorizedOperations,
      bits(Op.ALTER, Op.DESCRIBE, Op.CLUSTER_ACTION, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS),
    );
    const bob = await as('bob');
    const none = await bob.call<Body>(ApiKey.Metadata, 10, {
      topics: null,
      includeClusterAuthorizedOperations: true,
    });
    assert.deepEqual(none.topics, []);
    assert.equal(none.clusterAuthorizedOperations, 0);
    // Auto-creation needs CREATE: alice may create alice-* topics, not others.
    const auto = await alice.call<Body>(ApiKey.Metadata, 12, {
      topics: [{ name: 'alice-auto' }, { name: 'orders-auto' }],
      allowAutoTopicCreation: true,
    });
    const byName = new Map(auto.topics.map((t: Body) => [t.name, t.errorCode]));
    assert.equal(byName.get('alice-auto'), ErrorCode.NONE);
    assert.equal(byName.get('orders-auto'), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  });

  it('lets a DENY beat an ALLOW and matches PREFIXED patterns; ListGroups shows only described groups', async () => {
    const admin = await as('admin');
    const created = await admin.call<Body>(ApiKey.CreateAcls, 3, {
      creations: [
        allow(Res.TOPIC, 'app-', Op.READ, 'User:carol', Pattern.PREFIXED),
        allow(Res.TOPIC, 'app-secret', Op.ALL, 'User:carol', Pattern.LITERAL, Perm.DENY),
      ],
    });
    assert.deepEqual(
      created.results.map((r: Body) => r.errorCode),
      [0, 0],
    );
    const carol = await as('carol');
    const listed = await carol.call<Body>(ApiKey.ListOffsets, 7, {
      replicaId: -1,
      topics: ['app-1', 'app-secret', 'orders'].map((name) => ({
        name,
        partitions: [{ partitionIndex: 0, timestamp: -1n }],
      })),
    });
    assert.deepEqual(
      listed.topics.map((t: Body) => [t.name, t.partitions[0].errorCode]),
      [
        ['app-1', ErrorCode.NONE],
        ['app-secret', ErrorCode.TOPIC_AUTHORIZATION_FAILED],
        ['orders', ErrorCode.TOPIC_AUTHORIZATION_FAILED],
      ],
    );
    const groups = await carol.call<Body>(ApiKey.ListGroups, 4, { statesFilter: [] });
    assert.equal(groups.errorCode, 0);
    assert.deepEqual(groups.groups, []);
  });

  it('creates, describes with filters and deletes ACLs, which survive a restart', async () => {
    const admin = await as('admin');
    const filter = (p: Record<string, unknown>) => ({
      resourceTypeFilter: Res.ANY,
      resourceNameFilter: null,
      patternTypeFilter: Pattern.ANY,
      principalFilter: null,
      hostFilter: null,
      operation: Op.ANY,
      permissionType: Perm.ANY,
      ...p,
    });
    const bad = await admin.call<Body>(ApiKey.CreateAcls, 3, {
      creations: [
        allow(Res.TOPIC, 'x', Op.READ, 'User:eve', Pattern.MATCH),
        allow(Res.CLUSTER, 'not-the-cluster', Op.ALTER, 'User:eve'),
        allow(Res.TOPIC, 'eve-topic', Op.READ, 'User:eve'),
        allow(Res.TOPIC, 'eve-topic', Op.READ, 'User:eve'),
      ],
    });
    assert.deepEqual(
      bad.results.map((r: Body) => r.errorCode),
      [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, 0, 0],
    );
    // MATCH finds the literal, prefixed and wildcard ACLs that apply to a name.
    const match = await admin.call<Body>(
      ApiKey.DescribeAcls,
      3,
      filter({
        resourceTypeFilter: Res.TOPIC,
        resourceNameFilter: 'app-secret',
        patternTypeFilter: Pattern.MATCH,
      }),
    );
    assert.equal(match.errorCode, 0);
    assert.deepEqual(match.resources.map((r: Body) => [r.resourceName, r.patternType]).sort(), [
      ['app-', Pattern.PREFIXED],
      ['app-secret', Pattern.LITERAL],
    ]);
    const eve = await admin.call<Body>(ApiKey.DescribeAcls, 1, filter({ principalFilter: 'User:eve' }));
    assert.deepEqual(eve.resources, [
      {
        resourceType: Res.TOPIC,
        resourceName: 'eve-topic',
        patternType: Pattern.LITERAL,
        acls: [{ principal: 'User:eve', host: '*', operation: Op.READ, permissionType: Perm.ALLOW }],
      },
    ]);
    const unknown = await admin.call<Body>(ApiKey.DescribeAcls, 3, filter({ operation: Op.UNKNOWN }));
    assert.equal(unknown.errorCode, ErrorCode.INVALID_REQUEST);

    await broker.close();
    broker = await startBroker({ logDir, logger: captureLogger(lines), config: config() });
    const again = await as('admin');
    const kept = await again.call<Body>(ApiKey.DescribeAcls, 3, filter({ principalFilter: 'User:eve' }));
    assert.equal(kept.resources.length, 1);
    const alice = await as('alice');
    const md = await alice.call<Body>(ApiKey.Metadata, 12, { topics: [{ name: 'orders' }] });
    assert.equal(md.topics[0].errorCode, 0, 'the ACLs decide after a restart');

    const deleted = await again.call<Body>(ApiKey.DeleteAcls, 3, {
      filters: [filter({ principalFilter: 'User:eve' }), filter({ operation: Op.UNKNOWN })],
    });
    assert.equal(deleted.filterResults[0].errorCode, 0);
    assert.deepEqual(
      deleted.filterResults[0].matchingAcls.map((a: Body) => [a.resourceName, a.principal]),
      [['eve-topic', 'User:eve']],
    );
    assert.equal(deleted.filterResults[1].errorCode, ErrorCode.INVALID_REQUEST);
    const gone = await again.call<Body>(ApiKey.DescribeAcls, 3, filter({ principalFilter: 'User:eve' }));
    assert.deepEqual(gone.resources, []);
  });
});

describe('ACL APIs without an authorizer', () => {
  it('answer SECURITY_DISABLED, and every other request is served as before', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'strom-acl-off-'));
    const broker = await startBroker({ logDir, config: { listeners: 'PLAINTEXT://127.0.0.1:0' } });
    const c = await RawClient.open(`127.0.0.1:${broker.broker.listeners[0]!.boundPort}`);
    try {
      const call = async (key: number, version: number, body: unknown): Promise<Body> => {
        c.write(encodeRequest(key, version, 7, 't', body as never));
        const frame = await c.readFrame(10_000);
        return decodeResponse(key, version, frame!).body;
      };
      const created = await call(ApiKey.CreateAcls, 2, { creations: [allow(Res.TOPIC, 't', Op.READ)] });
      assert.equal(created.results[0].errorCode, ErrorCode.SECURITY_DISABLED);
      const described = await call(ApiKey.DescribeAcls, 0, {
        resourceTypeFilter: Res.ANY,
        operation: Op.ANY,
        permissionType: Perm.ANY,
      });
      assert.equal(described.errorCode, ErrorCode.SECURITY_DISABLED);
      const deleted = await call(ApiKey.DeleteAcls, 0, {
        filters: [{ resourceTypeFilter: Res.ANY, operation: Op.ANY, permissionType: Perm.ANY }],
      });
      assert.equal(deleted.filterResults[0].errorCode, ErrorCode.SECURITY_DISABLED);
      const md = await call(ApiKey.Metadata, 10, { topics: null, includeClusterAuthorizedOperations: true });
      assert.equal(md.errorCode ?? 0, 0);
      assert.notEqual(md.clusterAuthorizedOperations, 0);
    } finally {
      c.close();
      await broker.close();
      rmSync(logDir, { recursive: true, force: true });
    }
  });
});
