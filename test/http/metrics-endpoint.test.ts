import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { FetchResponse } from '../../src/protocol/generated/messages/fetch-response.js';
import type { OffsetCommitResponse } from '../../src/protocol/generated/messages/offset-commit-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { request } from '../helpers/request.js';
import { type Sample, type StartedNode, sampleValue, scrape, startNode } from './http-node.js';

const batch = (values: string[]) =>
  encodeRecordBatch({
    baseTimestamp: 1_700_000_000_000n,
    records: values.map((v, i) => ({
      offsetDelta: i,
      timestampDelta: i,
      key: null,
      value: Buffer.from(v),
      headers: [],
    })),
  });

describe('/metrics', () => {
  let s: StartedNode;
  let samples: Sample[];
  let families: Map<string, string>;
  let produced = 0;
  let fetched = 0;
  let clusterId = '';

  before(async () => {
    s = await startNode({ 'auto.create.topics.enable': 'false' });
    clusterId = s.node.broker.services.clusterId;
    const created = await request<CreateTopicsResponse>(s.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [
        { name: 'measured', numPartitions: 1, replicationFactor: 1 },
        {
          name: 'strict',
          numPartitions: 2,
          replicationFactor: 1,
          configs: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
      timeoutMs: 5000,
    });
    assert.deepEqual(
      created.topics.map((t) => t.errorCode),
      [ErrorCode.NONE, ErrorCode.NONE],
    );
    for (const values of [['a', 'b', 'c'], ['dd']]) {
      const records = batch(values);
      produced += records.length;
      const r = await request<ProduceResponse>(s.bootstrap, ApiKey.Produce, 9, {
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: 'measured', partitionData: [{ index: 0, records }] }],
      });
      assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    }
    const f = await request<FetchResponse>(s.bootstrap, ApiKey.Fetch, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      sessionEpoch: -1,
      topics: [
        { topic: 'measured', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] },
      ],
    });
    fetched = f.responses[0]!.partitions[0]!.records!.length;
    // FindCoordinator creates __consumer_offsets; the commit is retried while its partition loads.
    let committed = -1;
    for (let attempt = 0; attempt < 50 && committed !== ErrorCode.NONE; attempt++) {
      await request(s.bootstrap, ApiKey.FindCoordinator, 1, { key: 'lagging', keyType: 0 });
      const c = await request<OffsetCommitResponse>(s.bootstrap, ApiKey.OffsetCommit, 2, {
        groupId: 'lagging',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        retentionTimeMs: -1n,
        topics: [{ name: 'measured', partitions: [{ partitionIndex: 0, committedOffset: 1n }] }],
      });
      committed = c.topics[0]!.partitions[0]!.errorCode;
      if (committed !== ErrorCode.NONE) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(committed, ErrorCode.NONE);
    ({ samples, families } = await scrape(s.http));
  });
  after(async () => {
    await s?.close();
  });

  const value = (name: string, labels: Record<string, string> = {}) => sampleValue(samples, name, labels);

  it('counts the record bytes and records produced and fetched, per topic and in all', () => {
    assert.equal(value('kafka_server_brokertopicmetrics_bytesin_total', { topic: 'measured' }), produced);
    assert.equal(value('kafka_server_brokertopicmetrics_messagesin_total', { topic: 'measured' }), 4);
    assert.equal(fetched, produced, 'the fetch read back every byte');
    assert.equal(value('kafka_server_brokertopicmetrics_bytesout_total', { topic: 'measured' }), fetched);
    // The commit appended to __consumer_offsets too: the total counts every topic.
    const inAll = value('kafka_server_brokertopicmetrics_bytesin_total')!;
    const perTopic = samples
      .filter(
        (x) => x.name === 'kafka_server_brokertopicmetrics_bytesin_total' && x.labels.topic !== undefined,
      )
      .reduce((sum, x) => sum + x.value, 0);
    assert.ok(inAll > produced);
    assert.equal(inAll, perTopic);
    assert.equal(families.get('kafka_server_brokertopicmetrics_bytesin_total'), 'COUNTER');
  });

  it('counts requests per API and version, with their total and queue time', () => {
    const requests = (request: string, version: string) =>
      value('kafka_network_requestmetrics_requests_total', { request, version });
    assert.equal(requests('CreateTopics', '7'), 1);
    assert.equal(requests('Produce', '9'), 2);
    assert.equal(requests('Fetch', '12'), 1);
    assert.equal(
      requests('FetchConsumer', '12'),
      1,
      'a consumer fetch counts as FetchConsumer too, as in Kafka',
    );
    assert.ok(requests('OffsetCommit', '2')! >= 1);
    assert.equal(value('kafka_network_requestmetrics_totaltimems_count', { request: 'Produce' }), 2);
    assert.equal(value('kafka_network_requestmetrics_requestqueuetimems_count', { request: 'Produce' }), 2);
    for (const quantile of ['0.50', '0.75', '0.95', '0.98', '0.99', '0.999']) {
      const t = value('kafka_network_requestmetrics_totaltimems', { request: 'Produce', quantile });
      assert.ok(t !== undefined && t > 0, `Produce TotalTimeMs ${quantile}`);
      const q = value('kafka_network_requestmetrics_requestqueuetimems', { request: 'Produce', quantile });
      assert.ok(q !== undefined && q >= 0 && q <= t, `Produce RequestQueueTimeMs ${quantile}`);
    }
    assert.equal(families.get('kafka_network_requestmetrics_totaltimems'), 'GAUGE');
  });

  it('reports each partition log and the partition counts, with single-node values', () => {
    const tp = { topic: 'measured', partition: '0' };
    assert.equal(value('kafka_log_log_size', tp), produced, 'the log holds exactly the bytes appended');
    assert.equal(value('kafka_log_log_numlogsegments', tp), 1);
    assert.equal(value('kafka_log_log_logendoffset', tp), 4);
    assert.equal(value('kafka_log_log_logstartoffset', tp), 0);
    assert.equal(value('kafka_server_replicamanager_underreplicatedpartitions'), 0);
    // min.insync.replicas=2 with one replica: both partitions of "strict" refuse acks=all.
    assert.equal(value('kafka_server_replicamanager_underminisrpartitioncount'), 2);
    assert.equal(value('kafka_controller_kafkacontroller_activecontrollercount'), 1);
    assert.equal(value('kafka_controller_kafkacontroller_offlinepartitionscount'), 0);
    assert.equal(value('kafka_server_replicamanager_isrshrinks_total'), 0);
    assert.equal(value('kafka_server_replicamanager_isrexpands_total'), 0);
    const hosted = value('kafka_server_replicamanager_partitioncount')!;
    assert.equal(hosted, value('kafka_controller_kafkacontroller_globalpartitioncount'));
    assert.equal(hosted, value('kafka_server_replicamanager_leadercount'));
    assert.ok(hosted >= 3);
    assert.equal(
      value('kafka_server_delayedoperationpurgatory_purgatorysize', { delayedOperation: 'Produce' }),
      0,
    );
    assert.equal(
      value('kafka_server_delayedoperationpurgatory_purgatorysize', { delayedOperation: 'Fetch' }),
      0,
    );
    assert.equal(
      value('kafka_server_socket_server_metrics_connection_count', {
        listener: 'PLAINTEXT',
        networkProcessor: '0',
      }),
      0,
      'every request of this test closed its connection',
    );
    assert.ok(families.has('kafka_log_logflushstats_logflushrateandtimems_count'));
  });

  it('reports consumer lag as the latest offset minus the committed offset, as kafka-lag-exporter does', () => {
    const labels = { cluster_name: clusterId, group: 'lagging', topic: 'measured', partition: '0' };
    assert.equal(value('kafka_consumergroup_group_offset', labels), 1);
    assert.equal(value('kafka_consumergroup_group_lag', labels), 3);
    assert.equal(
      value('kafka_consumergroup_group_max_lag', { cluster_name: clusterId, group: 'lagging' }),
      3,
    );
    assert.equal(
      value('kafka_consumergroup_group_sum_lag', { cluster_name: clusterId, group: 'lagging' }),
      3,
    );
    assert.equal(
      value('kafka_consumergroup_group_topic_sum_lag', {
        cluster_name: clusterId,
        group: 'lagging',
        topic: 'measured',
      }),
      3,
    );
    assert.equal(
      value('kafka_partition_latest_offset', { cluster_name: clusterId, topic: 'measured', partition: '0' }),
      4,
    );
  });

  it("serves Node's own metrics: event-loop lag, GC, heap, RSS", () => {
    for (const name of [
      'nodejs_eventloop_lag_seconds',
      'nodejs_gc_duration_seconds',
      'nodejs_heap_size_used_bytes',
      'process_resident_memory_bytes',
    ])
      assert.ok(families.has(name), name);
    assert.ok(value('process_resident_memory_bytes')! > 0);
  });

  it('answers overlapping scrapes each in full', async () => {
    const all = await Promise.all([scrape(s.http), scrape(s.http), scrape(s.http)]);
    for (const r of all) {
      assert.equal(
        sampleValue(r.samples, 'kafka_log_log_size', { topic: 'measured', partition: '0' }),
        produced,
      );
      assert.equal(sampleValue(r.samples, 'kafka_controller_kafkacontroller_activecontrollercount'), 1);
    }
  });

  it('forgets a deleted topic but keeps its bytes in the total, which never goes down', async () => {
    const beforeDelete = value('kafka_server_brokertopicmetrics_bytesin_total')!;
    const r = await request<{ responses: { errorCode: number }[] }>(s.bootstrap, ApiKey.DeleteTopics, 4, {
      topicNames: ['measured'],
      timeoutMs: 5000,
    });
    assert.equal(r.responses[0]!.errorCode, ErrorCode.NONE);
    const again = await scrape(s.http);
    assert.equal(
      sampleValue(again.samples, 'kafka_server_brokertopicmetrics_bytesin_total', { topic: 'measured' }),
      undefined,
    );
    assert.equal(
      sampleValue(again.samples, 'kafka_log_log_size', { topic: 'measured', partition: '0' }),
      undefined,
    );
    assert.ok(sampleValue(again.samples, 'kafka_server_brokertopicmetrics_bytesin_total')! >= beforeDelete);
  });
});
