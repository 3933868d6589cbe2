import type { Logger } from '../../../common/logger.js';
import { ErrorCode } from '../../../protocol/error-codes.js';
import type { ReplicaManager } from '../../replica/replica-manager.js';

/** One WriteTxnMarkers entry: the end of one producer's transaction on some partitions. */
export interface TxnMarkerEntry {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  readonly commit: boolean;
  readonly topics: readonly { readonly name: string; readonly partitionIndexes: readonly number[] }[];
}

export interface TxnMarkerTopicResult {
  name: string;
  partitions: { partitionIndex: number; errorCode: number }[];
}

/** What appending markers needs from the broker. */
export interface TxnMarkerAppendDeps {
  readonly nodeId: number;
  readonly replicas: ReplicaManager;
  readonly logger: Logger;
  /** Called for the __consumer_offsets partitions whose marker is durable: their pending transactional offsets complete. */
  readonly onOffsetsMarker?: (producerId: bigint, commit: boolean, partitions: number[]) => void;
}

/**
 * Appends a commit or abort marker to each partition of the entry that this broker leads, and
 * waits until each is committed: what the WriteTxnMarkers handler does for a remote coordinator
 * and the local coordinator does directly (KafkaApis.handleWriteTxnMarkersRequest). A partition
 * this broker does not hold is UNKNOWN_TOPIC_OR_PARTITION, one it does not lead
 * NOT_LEADER_OR_FOLLOWER; storage refusals come back as their Kafka codes.
 */
export async function appendTxnMarkers(
  d: TxnMarkerAppendDeps,
  m: TxnMarkerEntry,
): Promise<TxnMarkerTopicResult[]> {
  const offsetsDone: number[] = [];
  const topics = await Promise.all(
    m.topics.map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(
        t.partitionIndexes.map(async (partitionIndex) => {
          const errorCode = await appendOne(d, m, t.name, partitionIndex);
          if (errorCode === ErrorCode.NONE && t.name === '__consumer_offsets')
            offsetsDone.push(partitionIndex);
          return { partitionIndex, errorCode };
        }),
      ),
    })),
  );
  if (offsetsDone.length > 0) d.onOffsetsMarker?.(m.producerId, m.commit, offsetsDone);
  return topics;
}

async function appendOne(
  d: TxnMarkerAppendDeps,
  m: TxnMarkerEntry,
  topic: string,
  partition: number,
): Promise<number> {
  const hosted = d.replicas.get(topic, partition);
  if (!hosted) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (hosted.leaderId !== d.nodeId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  try {
    // On a single node the marker is committed once appended (in fsync mode once fsynced);
    // followers will have to acknowledge it too once partitions replicate.
    const r = await d.replicas.appendTxnMarker(hosted, {
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      coordinatorEpoch: m.coordinatorEpoch,
      result: m.commit ? 'COMMIT' : 'ABORT',
    });
    if (r.errorCode !== ErrorCode.NONE) {
      d.logger.warn(
        { topic, partition, producerId: m.producerId, errorCode: r.errorCode, error: r.errorMessage },
        'transaction marker not written',
      );
    }
    return r.errorCode;
  } catch (err) {
    d.logger.error({ err, topic, partition, producerId: m.producerId }, 'transaction marker not written');
    return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
