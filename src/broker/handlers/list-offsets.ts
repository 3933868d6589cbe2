import { ErrorCode } from '../../protocol/error-codes.js';
import { ListOffsetsRequest } from '../../protocol/generated/messages/list-offsets-request.js';
import { ListOffsetsResponse } from '../../protocol/generated/messages/list-offsets-response.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from '../../storage/partition-log.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { kafkaErrorFor } from '../replica/storage-error-codes.js';

type PartitionResponse = MessageInput<ListOffsetsResponse['topics'][number]['partitions'][number]>;

/** KIP-405's earliest-local (-4) and KIP-1005's earliest-pending-upload (-5): without tiered storage, the log start. */
const EARLIEST_LOCAL_TIMESTAMP = -4n;
const EARLIEST_PENDING_UPLOAD_TIMESTAMP = -5n;

/**
 * ListOffsets: earliest (-2), latest (-1: the high watermark, as consumers see the log), max
 * timestamp (-3, v7+), or the first offset at or after a timestamp. v0 answers in the old style,
 * a list of offsets.
 */
export function listOffsetsHandler(s: BrokerServices) {
  return defineHandler(ListOffsetsRequest, ListOffsetsResponse, (req, ctx) => {
    const v = ctx.apiVersion;
    const seen = new Set<string>();
    const topics = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): PartitionResponse => {
        const fail = (errorCode: number): PartitionResponse => ({
          partitionIndex: p.partitionIndex,
          errorCode,
          timestamp: -1n,
          offset: -1n,
          leaderEpoch: -1,
          oldStyleOffsets: [],
        });
        const key = `${t.name}-${p.partitionIndex}`;
        if (seen.has(key)) return fail(ErrorCode.INVALID_REQUEST);
        seen.add(key);
        const lookup = s.replicas.leader(s.metadata.image, t.name, p.partitionIndex);
        if (!lookup.partition) return fail(lookup.errorCode);
        const part = lookup.partition;
        const epochError = part.checkLeaderEpoch(v >= 4 ? p.currentLeaderEpoch : -1);
        if (epochError !== ErrorCode.NONE) return fail(epochError);
        try {
          let ts = p.timestamp;
          if (ts === EARLIEST_LOCAL_TIMESTAMP || ts === EARLIEST_PENDING_UPLOAD_TIMESTAMP)
            ts = BigInt(EARLIEST_TIMESTAMP);
          let found: { offset: number; timestamp: number; leaderEpoch: number } | null;
          if (ts === BigInt(LATEST_TIMESTAMP)) {
            // Consumers see the log up to the high watermark (the last stable offset equals it without transactions).
            found = { offset: part.log.highWatermark, timestamp: -1, leaderEpoch: part.leaderEpoch };
          } else if (ts === BigInt(MAX_TIMESTAMP) && v < 7) {
            return fail(ErrorCode.UNSUPPORTED_VERSION);
          } else {
            found = part.log.offsetForTimestamp(Number(ts));
            // The log knows the batch holding the largest timestamp; the first record at or after
            // that timestamp is the record itself, which Kafka answers since KAFKA-16310 (3.7.1).
            // Under LogAppendTime every record has the batch's time, so that is the batch's first.
            if (found && ts === BigInt(MAX_TIMESTAMP))
              found = part.log.offsetForTimestamp(found.timestamp) ?? found;
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
          return fail(mapped.code);
        }
      }),
    }));
    return { throttleTimeMs: 0, topics };
  });
}
