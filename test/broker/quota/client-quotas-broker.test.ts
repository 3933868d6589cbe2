import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { KafkaMetrics } from '../../../src/http/kafka-metrics.js';
import { MetricsRegistry } from '../../../src/http/metrics-registry.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { AlterClientQuotasResponse } from '../../../src/protocol/generated/messages/alter-client-quotas-response.js';
import type { DescribeClientQuotasResponse } from '../../../src/protocol/generated/messages/describe-client-quotas-response.js';
import type { FetchResponse } from '../../../src/protocol/generated/messages/fetch-response.js';
import type { MetadataResponse } from '../../../src/protocol/generated/messages/metadata-response.js';
import type { ProduceResponse } from '../../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { request } from '../../helpers/request.js';
import { QuotaTestClient as Client } from './quota-test-client.js';

const batch = (valueBytes: number) =>
  encodeRecordBatch({
    baseTimestamp: 1_700_000_000_000n,
    records: [
      { offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.alloc(valueBytes, 1), headers: [] },
    ],
  });

const alterQuotas = (bootstrap: string, entries: object[], version = 1) =>
  request<AlterClientQuotasResponse>(bootstrap, ApiKey.AlterClientQuotas, version, {
    entries,
    validateOnly: false,
  });

const describeAll = (bootstrap: string, version = 1) =>
  request<DescribeClientQuotasResponse>(bootstrap, ApiKey.DescribeClientQuotas, version, {
    components: [],
    strict: false,
  });

const produceBody = (valueBytes: number, topic = 'quota-topic') => ({
  acks: 1,
  timeoutMs: 5000,
  topicData: [{ name: topic, partitionData: [{ index: 0, records: batch(valueBytes) }] }],
});

describe('client quotas on the broker', () => {
  let dir: string;
  let broker: StartedBroker;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strom-quotas-'));
    broker = await startBroker({ logDir: dir, config: { 'num.partitions': '1' } });
    await request(broker.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [
        { name: 'quota-topic', numPartitions: 1, replicationFactor: 1 },
        { name: 'fetch-topic', numPartitions: 1, replicationFactor: 1 },
      ],
      timeoutMs: 5000,
    });
  });
  after(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('AlterClientQuotas and DescribeClientQuotas, v0 and v1, and the quotas survive a restart', async () => {
    const altered = await alterQuotas(
      broker.bootstrap,
      [
        {
          entity: [{ entityType: 'user', entityName: 'alice' }],
          ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }],
        },
        {
          entity: [{ entityType: 'client-id', entityName: null }],
          ops: [{ key: 'consumer_byte_rate', value: 2048, remove: false }],
        },
        {
          entity: [{ entityType: 'user', entityName: 'bob' }],
          ops: [{ key: 'bogus', value: 1, remove: false }],
        },
      ],
      0,
    );
    assert.deepEqual(
      altered.entries.map((e) => e.errorCode),
      [ErrorCode.NONE, ErrorCode.NONE, ErrorCode.INVALID_REQUEST],
    );
    assert.equal(altered.entries[2]!.errorMessage, 'Invalid configuration key bogus');
    const expected = [
      {
        entity: [{ entityType: 'user', entityName: 'alice' }],
        values: [{ key: 'producer_byte_rate', value: 1024 }],
      },
      {
        entity: [{ entityType: 'client-id', entityName: null }],
        values: [{ key: 'consumer_byte_rate', value: 2048 }],
      },
    ];
    const strip = (r: DescribeClientQuotasResponse) =>
      r.entries?.map((e) => ({
        entity: e.entity.map((x) => ({ entityType: x.entityType, entityName: x.entityName })),
        values: e.values.map((v) => ({ key: v.key, value: v.value })),
      }));
    assert.deepEqual(strip(await describeAll(broker.bootstrap, 0)), expected);
    await broker.close();
    broker = await startBroker({ logDir: dir, config: { 'num.partitions': '1' } });
    assert.deepEqual(strip(await describeAll(broker.bootstrap, 1)), expected);
    const removed = await alterQuotas(broker.bootstrap, [
      {
        entity: [{ entityType: 'user', entityName: 'alice' }],
        ops: [{ key: 'producer_byte_rate', value: 0, remove: true }],
      },
      {
        entity: [{ entityType: 'client-id', entityName: null }],
        ops: [{ key: 'consumer_byte_rate', value: 0, remove: true }],
      },
    ]);
    assert.deepEqual(
      removed.entries.map((e) => e.errorCode),
      [ErrorCode.NONE, ErrorCode.NONE],
    );
    assert.deepEqual((await describeAll(broker.bootstrap)).entries, []);
  });

  it('a producer over producer_byte_rate gets throttle_time_ms and its connection is muted for that time; another client is not', async () => {
    // 1,000 bytes/s: with 11 windows of 1 s a rate is measured over at least 10 s, so one request
    // of about 12 KB is ~1,200 bytes/s, ~2 s of throttle.
    await alterQuotas(broker.bootstrap, [
      {
        entity: [{ entityType: 'client-id', entityName: 'slow-producer' }],
        ops: [{ key: 'producer_byte_rate', value: 1000, remove: false }],
      },
    ]);
    const slow = await Client.open(broker.bootstrap, 'slow-producer');
    const other = await Client.open(broker.bootstrap, 'other-producer');
    try {
      const first = await slow.call<ProduceResponse>(ApiKey.Produce, 9, produceBody(12_000));
      assert.equal(first.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
      const throttleMs = first.throttleTimeMs;
      assert.ok(throttleMs > 1000 && throttleMs < 3000, `throttle ${throttleMs} ms`);
      // The response came at once; the next request on the muted connection waits for the throttle.
      const sentAt = performance.now();
      slow.send(ApiKey.Metadata, 9, {
        topics: [],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      // Meanwhile another client id produces as much, unthrottled and answered at once.
      const unthrottled = await other.call<ProduceResponse>(ApiKey.Produce, 9, produceBody(12_000));
      assert.equal(unthrottled.throttleTimeMs, 0);
      await slow.receive<MetadataResponse>(ApiKey.Metadata, 9);
      const waitedMs = performance.now() - sentAt;
      assert.ok(
        waitedMs >= throttleMs - 50,
        `answered after ${waitedMs.toFixed(0)} ms, throttle ${throttleMs} ms`,
      );
      // The throttle shows in the metrics of the client's quota id (a client-id quota: no user).
      const produce = broker.broker.observer
        .quotas()
        .find((q) => q.type === 'Produce' && q.clientId === 'slow-producer');
      assert.equal(produce?.user, '');
      assert.equal(produce?.throttleTimeMs, throttleMs);
      assert.ok(produce !== undefined && produce.rate > 1000);
      const text = await new MetricsRegistry(new KafkaMetrics(), () => broker.broker.observer).text();
      assert.ok(
        text.includes(
          `kafka_server_quota_throttle_time{resource="Produce",clientId="slow-producer"} ${throttleMs}\n`,
        ),
        text
          .split('\n')
          .filter((l) => l.startsWith('kafka_server_quota'))
          .join('\n'),
      );
    } finally {
      slow.close();
      other.close();
      await alterQuotas(broker.bootstrap, [
        {
          entity: [{ entityType: 'client-id', entityName: 'slow-producer' }],
          ops: [{ key: 'producer_byte_rate', value: 0, remove: true }],
        },
      ]);
    }
  });

  it('a fetch over consumer_byte_rate is answered at once with no records and throttle_time_ms; a fetch is cut to one quota window', async () => {
    const producer = await Client.open(broker.bootstrap, 'filler');
    for (let i = 0; i < 4; i++)
      await producer.call<ProduceResponse>(ApiKey.Produce, 9, produceBody(3000, 'fetch-topic'));
    producer.close();
    await alterQuotas(broker.bootstrap, [
      {
        entity: [
          { entityType: 'user', entityName: null },
          { entityType: 'client-id', entityName: 'slow-consumer' },
        ],
        ops: [{ key: 'consumer_byte_rate', value: 400, remove: false }],
      },
    ]);
    const consumer = await Client.open(broker.bootstrap, 'slow-consumer');
    const fetch = () =>
      consumer.call<FetchResponse>(ApiKey.Fetch, 12, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: 'fetch-topic',
            partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
    try {
      // 400 bytes/s over 10 windows: a fetch carries at most 4,000 bytes (one batch and part of the next).
      const first = await fetch();
      const records = first.responses[0]!.partitions[0]!.records!;
      assert.ok(records.length > 3000 && records.length <= 4000, `${records.length} bytes`);
      assert.equal(first.throttleTimeMs, 0);
      const second = await fetch();
      assert.ok(second.throttleTimeMs > 0);
      assert.deepEqual(second.responses, []);
      assert.equal(second.errorCode, ErrorCode.NONE);
    } finally {
      consumer.close();
    }
  });

  it('request_percentage throttles by handler time, capped at one quota window', async () => {
    await alterQuotas(broker.bootstrap, [
      {
        entity: [{ entityType: 'client-id', entityName: 'busy' }],
        ops: [{ key: 'request_percentage', value: 0.0001, remove: false }],
      },
    ]);
    const busy = await Client.open(broker.bootstrap, 'busy');
    try {
      const r = await busy.call<MetadataResponse>(ApiKey.Metadata, 9, {
        topics: null,
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      assert.ok(r.throttleTimeMs > 0 && r.throttleTimeMs <= 1000, `throttle ${r.throttleTimeMs} ms`);
    } finally {
      busy.close();
      await alterQuotas(broker.bootstrap, [
        {
          entity: [{ entityType: 'client-id', entityName: 'busy' }],
          ops: [{ key: 'request_percentage', value: 0, remove: true }],
        },
      ]);
    }
  });
});
