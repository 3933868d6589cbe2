import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import {
  ListOffsetsRequest,
  type ListOffsetsRequestListOffsetsPartition,
  type ListOffsetsRequestListOffsetsTopic,
} from '../../protocol/generated/messages/list-offsets-request.js';
import { ListOffsetsResponse } from '../../protocol/generated/messages/list-offsets-response.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from '../../storage/partition-log.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { ISOLATION_READ_COMMITTED } from '../fetch/fetch-planner.js';
import { kafkaErrorFor } from '../replica/storage-error-codes.js';
import { legacyLatestOffsets } from './list-offsets-legacy.js';

type PartitionResponse = MessageInput<ListOffsetsResponse['topics'][number]['partitions'][number]>;
type TopicResponse = MessageInput<ListOffsetsResponse['topics'][number]>;

/** KIP-405's earliest-local (-4) and KIP-1005's earliest-pending-upload (-5): without tiered storage, the log start. */
const EARLIEST_LOCAL_TIMESTAMP = -4n;
const EARLIEST_PENDING_UPLOAD_TIMESTAMP = -5n;
/** The replica id of a consumer's request (ListOffsetsRequest.CONSUMER_REPLICA_ID). */
const CONSUMER_REPLICA_ID = -1;

/**
 * ListOffsets: earliest (-2), latest (-1: the high watermark, as consumers see the log, or the
 * last stable offset for read_committed from v2), max
 * timestamp (-3, v7+), or the first offset at or after a timestamp. v0 answers in the old style,
 * a list of offsets: for the latest, the segments' start offsets follow the end when asked for more
 * than one (list-offsets-legacy.ts).
 *
 * A partition listed twice is treated per version as Kafka does: v0 answers every entry as listed
 * (KafkaApis.handleListOffsetRequestV0 has no check; kafka-php repeats its topic in every v0
 * request), v1+ answers INVALID_REQUEST for every occurrence of it, in a response with one entry
 * per topic and partition (ListOffsetsRequest.duplicatePartitions, ReplicaManager.fetchOffset).
 */
export function listOffsetsHandler(s: BrokerServices) {
  return defineHandler(ListOffsetsRequest, ListOffsetsResponse, { min: 0, max: 9 }, (req, ctx) => {
    const v = ctx.apiVersion;
    // Kafka's KafkaApis.handleListOffsetRequest: DESCRIBE on each topic.
    const allowed = s.authorizer.enabled
      ? s.authorizer.filterAuthorized(
          ctx.connection,
          AclOperation.DESCRIBE,
          AclResourceType.TOPIC,
          req.topics.map((t) => t.name),
        )
      : null;
    const answer = (topic: string, p: ListOffsetsRequestListOffsetsPartition): PartitionResponse => {
      if (allowed !== null && !allowed.has(topic)) return failed(p, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      const lookup = s.replicas.leader(s.metadata.image, topic, p.partitionIndex);
      if (!lookup.partition) return failed(p, lookup.errorCode);
      const part = lookup.partition;
      const epochError = part.checkLeaderEpoch(v >= 4 ? p.currentLeaderEpoch : -1);
      if (epochError !== ErrorCode.NONE) return failed(p, epochError);
      try {
        let ts = p.timestamp;
        if (ts === EARLIEST_LOCAL_TIMESTAMP || ts === EARLIEST_PENDING_UPLOAD_TIMESTAMP)
          ts = BigInt(EARLIEST_TIMESTAMP);
        if (v === 0 && ts === BigInt(LATEST_TIMESTAMP) && p.maxNumOffsets > 1) {
          const fromConsumer = req.replicaId === CONSUMER_REPLICA_ID;
          const offsets = legacyLatestOffsets(part.log, p.maxNumOffsets, fromConsumer);
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: offsets };
        }
        let found: { offset: number; timestamp: number; leaderEpoch: number } | null;
        if (ts === BigInt(LATEST_TIMESTAMP)) {
          // Consumers see the log up to the high watermark, read_committed ones up to the last
          // stable offset (v2+; Kafka's Partition.fetchOffsetForTimestamp lastFetchableOffset).
          const offset =
            v >= 2 && req.isolationLevel === ISOLATION_READ_COMMITTED
              ? part.log.lastStableOffset
              : part.log.highWatermark;
          found = { offset, timestamp: -1, leaderEpoch: part.leaderEpoch };
        } else if (ts === BigInt(MAX_TIMESTAMP) && v < 7) {
          return failed(p, ErrorCode.UNSUPPORTED_VERSION);
        } else {
          found = part.log.offsetForTimestamp(Number(ts));
          // The log knows the batch holding the largest timestamp; the first record at or after
          // that timestamp is the record itself, which Kafka answers since KAFKA-16310 (3.7.1).
          // Under LogAppendTime every record has the batch's time, so that is the batch's first.
          if (found && ts === BigInt(MAX_TIMESTAMP))
            found = part.log.offsetForTimestamp(found.timestamp) ?? found;
          // A consumer is not told of an offset it cannot fetch yet (Kafka's lastFetchableOffset);
          // the earliest offset is answered as it is.
          if (found && ts !== BigInt(EARLIEST_TIMESTAMP) && v >= 1 && req.replicaId === CONSUMER_REPLICA_ID) {
            const lastFetchable =
              v >= 2 && req.isolationLevel === ISOLATION_READ_COMMITTED
                ? part.log.lastStableOffset
                : part.log.highWatermark;
            if (found.offset >= lastFetchable) found = null;
          }
        }
        if (v === 0) {
          return {
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.NONE,
            oldStyleOffsets: found && p.maxNumOffsets > 0 ? [BigInt(found.offset)] : [],
          };
        }
        return {
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.NONE,
          timestamp: found ? BigInt(found.timestamp) : -1n,
          offset: found ? BigInt(found.offset) : -1n,
          leaderEpoch: found && v >= 4 ? found.leaderEpoch : -1,
        };
      } catch (err) {
        const mapped = kafkaErrorFor(err);
        if (!mapped) throw err;
        return failed(p, mapped.code);
      }
    };

    if (v === 0) {
      const topics = req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => answer(t.name, p)),
      }));
      return { throttleTimeMs: 0, topics };
    }
    const duplicates = duplicatePartitions(req.topics);
    const byTopic = new Map<string, Map<number, PartitionResponse>>();
    for (const t of req.topics) {
      const partitions = entry(byTopic, t.name, () => new Map<number, PartitionResponse>());
      for (const p of t.partitions) {
        if (partitions.has(p.partitionIndex)) continue;
        if (duplicates.get(t.name)?.has(p.partitionIndex) && (allowed === null || allowed.has(t.name))) {
          ctx.log.debug(
            { topic: t.name, partition: p.partitionIndex },
            'list offsets: partition listed more than once, INVALID_REQUEST',
          );
          partitions.set(p.partitionIndex, failed(p, ErrorCode.INVALID_REQUEST));
        } else partitions.set(p.partitionIndex, answer(t.name, p));
      }
    }
    const topics: TopicResponse[] = [];
    for (const [name, partitions] of byTopic) topics.push({ name, partitions: [...partitions.values()] });
    return { throttleTimeMs: 0, topics };
  });
}

function failed(p: ListOffsetsRequestListOffsetsPartition, errorCode: number): PartitionResponse {
  return {
    partitionIndex: p.partitionIndex,
    errorCode,
    timestamp: -1n,
    offset: -1n,
    leaderEpoch: -1,
    oldStyleOffsets: [],
  };
}

/** The partitions a request lists more than once, by topic (Kafka's ListOffsetsRequest.duplicatePartitions). */
function duplicatePartitions(
  topics: readonly ListOffsetsRequestListOffsetsTopic[],
): Map<string, Set<number>> {
  const seen = new Map<string, Set<number>>();
  const duplicates = new Map<string, Set<number>>();
  for (const t of topics) {
    const listed = entry(seen, t.name, () => new Set<number>());
    for (const p of t.partitions) {
      if (!listed.has(p.partitionIndex)) listed.add(p.partitionIndex);
      else entry(duplicates, t.name, () => new Set<number>()).add(p.partitionIndex);
    }
  }
  return duplicates;
}

function entry<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
