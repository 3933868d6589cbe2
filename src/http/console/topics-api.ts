import type { BrokerObserver } from '../../broker/broker-observer.js';
import { ConfigResourceType } from '../../metadata/metadata-image.js';
import { ErrorCode, errorInfo } from '../../protocol/error-codes.js';
import { CreateTopicsRequest } from '../../protocol/generated/messages/create-topics-request.js';
import { CreateTopicsResponse } from '../../protocol/generated/messages/create-topics-response.js';
import { DeleteTopicsRequest } from '../../protocol/generated/messages/delete-topics-request.js';
import { DeleteTopicsResponse } from '../../protocol/generated/messages/delete-topics-response.js';
import { DescribeConfigsRequest } from '../../protocol/generated/messages/describe-configs-request.js';
import { DescribeConfigsResponse } from '../../protocol/generated/messages/describe-configs-response.js';
import { IncrementalAlterConfigsRequest } from '../../protocol/generated/messages/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../protocol/generated/messages/incremental-alter-configs-response.js';
import { ListOffsetsRequest } from '../../protocol/generated/messages/list-offsets-request.js';
import { ListOffsetsResponse } from '../../protocol/generated/messages/list-offsets-response.js';
import { MetadataRequest } from '../../protocol/generated/messages/metadata-request.js';
import { MetadataResponse } from '../../protocol/generated/messages/metadata-response.js';
import { badRequest, checkKafka, intParam, intValue, type KafkaAs, stringField } from './api-support.js';
import type { ConsoleSampler } from './console-sampler.js';

/** One row of the topics list. */
export interface TopicSummary {
  readonly name: string;
  readonly internal: boolean;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly offlinePartitions: number;
  readonly underReplicatedPartitions: number;
  /** Bytes of the partitions' logs hosted on this broker. */
  readonly sizeBytes: number;
  messagesInPerSec: number;
  bytesInPerSec: number;
}

/** Most rows one page of the topics list holds: 10,000 topics are browsed a page at a time. */
export const TOPICS_PAGE_MAX = 500;

/**
 * Every topic the principal may describe, as Metadata answers it (all topics), with the sizes of
 * their logs on this broker.
 */
export async function listTopics(
  kafka: KafkaAs,
  observer: BrokerObserver,
  includeInternal: boolean,
): Promise<TopicSummary[]> {
  const md = await kafka.send(MetadataRequest, MetadataResponse, 12, {
    topics: null,
    allowAutoTopicCreation: false,
  });
  const sizes = new Map<string, number>();
  observer.forEachPartition((p) => sizes.set(p.topic, (sizes.get(p.topic) ?? 0) + (p.log?.sizeBytes ?? 0)));
  const out: TopicSummary[] = [];
  for (const t of md.topics) {
    if (t.errorCode !== ErrorCode.NONE || t.name === null) continue;
    if (t.isInternal && !includeInternal) continue;
    let offline = 0;
    let under = 0;
    for (const p of t.partitions) {
      if (p.leaderId < 0) offline++;
      if (p.isrNodes.length < p.replicaNodes.length) under++;
    }
    out.push({
      name: t.name,
      internal: t.isInternal,
      partitions: t.partitions.length,
      replicationFactor: t.partitions[0]?.replicaNodes.length ?? 0,
      offlinePartitions: offline,
      underReplicatedPartitions: under,
      sizeBytes: sizes.get(t.name) ?? 0,
      messagesInPerSec: 0,
      bytesInPerSec: 0,
    });
  }
  return out;
}

/** GET /api/topics?search=&offset=&limit=&internal=: one page of the topics, sorted by name. */
export async function topicsPage(
  kafka: KafkaAs,
  observer: BrokerObserver,
  sampler: ConsoleSampler,
  q: URLSearchParams,
): Promise<{ total: number; offset: number; topics: TopicSummary[] }> {
  const search = (q.get('search') ?? '').toLowerCase();
  const offset = intParam(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(q, 'limit', 50, 1, TOPICS_PAGE_MAX);
  const internal = q.get('internal') === 'true';
  const all = (await listTopics(kafka, observer, internal)).filter(
    (t) => search === '' || t.name.toLowerCase().includes(search),
  );
  all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = all.slice(offset, offset + limit);
  for (const t of page) Object.assign(t, sampler.topicRates(t.name));
  return { total: all.length, offset, topics: page };
}

export interface PartitionDetail {
  readonly partition: number;
  readonly leader: number;
  /** No leader: its replicas' brokers are all fenced or gone (Kafka's offline partition). */
  readonly offline: boolean;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly logStartOffset: number | null;
  readonly highWatermark: number | null;
  readonly lastStableOffset: number | null;
  readonly sizeBytes: number | null;
}

export interface ConfigEntry {
  readonly name: string;
  readonly value: string | null;
  readonly source: string;
  readonly readOnly: boolean;
  readonly sensitive: boolean;
}

/** Kafka's ConfigSource names (DescribeConfigsResponse's ConfigSource). */
const CONFIG_SOURCES = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
];

/** ListOffsets' special timestamps (Kafka's ListOffsetsRequest.EARLIEST_TIMESTAMP, LATEST_TIMESTAMP). */
export const EARLIEST = -2n;
export const LATEST = -1n;

/**
 * Each partition's offset at `timestamp` (or EARLIEST / LATEST), read_committed when asked (the
 * last stable offset for LATEST); null for a partition that answered an error.
 */
export async function listOffsets(
  kafka: KafkaAs,
  topic: string,
  partitions: readonly number[],
  timestamp: bigint,
  readCommitted = false,
): Promise<Map<number, number | null>> {
  const res = await kafka.send(ListOffsetsRequest, ListOffsetsResponse, 7, {
    replicaId: -1,
    isolationLevel: readCommitted ? 1 : 0,
    topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, timestamp })) }],
  });
  const out = new Map<number, number | null>();
  for (const t of res.topics) {
    for (const p of t.partitions) {
      if (p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) checkKafka(p.errorCode);
      out.set(p.partitionIndex, p.errorCode === ErrorCode.NONE && p.offset >= 0n ? Number(p.offset) : null);
    }
  }
  return out;
}

/** The topic's partitions as Metadata describes them; UNKNOWN_TOPIC_OR_PARTITION (404) when it is not there. */
export async function describeTopicMetadata(kafka: KafkaAs, topic: string) {
  const md = await kafka.send(MetadataRequest, MetadataResponse, 12, {
    topics: [{ name: topic }],
    allowAutoTopicCreation: false,
  });
  const t = md.topics[0];
  if (t === undefined) checkKafka(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  checkKafka(t!.errorCode);
  return t!;
}

/** GET /api/topics/:name: partitions with their offsets, leaders, replicas and ISR; configs. */
export async function topicDetail(kafka: KafkaAs, observer: BrokerObserver, topic: string) {
  const t = await describeTopicMetadata(kafka, topic);
  const ids = t.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b);
  const [earliest, latest, stable, configs] = await Promise.all([
    listOffsets(kafka, topic, ids, EARLIEST),
    listOffsets(kafka, topic, ids, LATEST),
    listOffsets(kafka, topic, ids, LATEST, true),
    describeTopicConfigs(kafka, topic),
  ]);
  const sizes = new Map<number, number>();
  observer.forEachPartition((p) => {
    if (p.topic === topic && p.log !== null) sizes.set(p.partition, p.log.sizeBytes);
  });
  const partitions: PartitionDetail[] = [...t.partitions]
    .sort((a, b) => a.partitionIndex - b.partitionIndex)
    .map((p) => ({
      partition: p.partitionIndex,
      leader: p.leaderId,
      offline: p.leaderId < 0,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicaNodes,
      isr: p.isrNodes,
      logStartOffset: earliest.get(p.partitionIndex) ?? null,
      highWatermark: latest.get(p.partitionIndex) ?? null,
      lastStableOffset: stable.get(p.partitionIndex) ?? null,
      sizeBytes: sizes.get(p.partitionIndex) ?? null,
    }));
  return { name: topic, topicId: t.topicId, internal: t.isInternal, partitions, ...configs };
}

/**
 * The topic's configs; null with the error when the principal may describe the topic but not its
 * configs (DESCRIBE_CONFIGS is its own ACL operation), so the rest of the topic page still shows.
 */
async function describeTopicConfigs(
  kafka: KafkaAs,
  topic: string,
): Promise<{ configs: ConfigEntry[] | null; configsError: { error: string; message: string } | null }> {
  const res = await kafka.send(DescribeConfigsRequest, DescribeConfigsResponse, 4, {
    resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: topic, configurationKeys: null }],
  });
  const r = res.results[0];
  if (r === undefined) return { configs: [], configsError: null };
  if (r.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED) {
    const info = errorInfo(r.errorCode);
    return { configs: null, configsError: { error: info.name, message: r.errorMessage ?? info.message } };
  }
  checkKafka(r.errorCode, r.errorMessage);
  const configs = r.configs
    .map((c) => ({
      name: c.name,
      value: c.isSensitive ? null : c.value,
      source: CONFIG_SOURCES[c.configSource] ?? 'UNKNOWN',
      readOnly: c.readOnly,
      sensitive: c.isSensitive,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return { configs, configsError: null };
}

/** POST /api/topics {name, partitions, replicationFactor, configs}: CreateTopics. */
export async function createTopic(kafka: KafkaAs, body: Record<string, unknown>) {
  const name = stringField(body, 'name', 249);
  const partitions = body.partitions === undefined ? -1 : intValue(body.partitions, 'partitions', 1, 100_000);
  const replicationFactor =
    body.replicationFactor === undefined ? -1 : intValue(body.replicationFactor, 'replicationFactor', 1, 32);
  const configs = configMap(body.configs, 'configs');
  const res = await kafka.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [
      {
        name,
        numPartitions: partitions,
        replicationFactor,
        assignments: [],
        configs: [...configs].map(([n, value]) => ({ name: n, value })),
      },
    ],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  const r = res.topics[0]!;
  checkKafka(r.errorCode, r.errorMessage);
  return {
    name: r.name,
    topicId: r.topicId,
    partitions: r.numPartitions,
    replicationFactor: r.replicationFactor,
  };
}

/** DELETE /api/topics/:name: DeleteTopics. */
export async function deleteTopic(kafka: KafkaAs, topic: string) {
  const res = await kafka.send(DeleteTopicsRequest, DeleteTopicsResponse, 6, {
    topics: [{ name: topic }],
    timeoutMs: 30_000,
  });
  const r = res.responses[0]!;
  checkKafka(r.errorCode, r.errorMessage);
  return { name: topic, deleted: true };
}

/** POST /api/topics/:name/configs {set: {key: value}, delete: [key]}: IncrementalAlterConfigs. */
export async function alterTopicConfigs(kafka: KafkaAs, topic: string, body: Record<string, unknown>) {
  const set = configMap(body.set, 'set');
  const del = body.delete ?? [];
  if (!Array.isArray(del) || del.some((k) => typeof k !== 'string' || k.length === 0 || k.length > 256)) {
    throw badRequest('delete must be an array of config names');
  }
  if (set.size === 0 && del.length === 0) throw badRequest('nothing to change: give set or delete');
  const res = await kafka.send(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
    resources: [
      {
        resourceType: ConfigResourceType.TOPIC,
        resourceName: topic,
        configs: [
          ...[...set].map(([name, value]) => ({ name, configOperation: 0, value })),
          ...(del as string[]).map((name) => ({ name, configOperation: 1, value: null })),
        ],
      },
    ],
    validateOnly: false,
  });
  const r = res.responses[0]!;
  checkKafka(r.errorCode, r.errorMessage);
  return { name: topic, altered: true };
}

/** A {key: value} object of string values, at most 256 keys. */
function configMap(raw: unknown, name: string): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badRequest(`${name} must be an object of strings`);
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 256) throw badRequest(`${name} has more than 256 keys`);
  for (const [k, v] of entries) {
    if (typeof v !== 'string' && typeof v !== 'number') throw badRequest(`${name}.${k} must be a string`);
    out.set(k, String(v));
  }
  return out;
}
