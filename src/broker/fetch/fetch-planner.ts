import type { MetadataImage } from '../../metadata/metadata-image.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { FileSlice } from '../../storage/file-slice.js';
import type { AbortedTxn } from '../../storage/transaction-index.js';
import type { HostedPartition } from '../replica/hosted-partition.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import { kafkaErrorFor } from '../replica/storage-error-codes.js';
import type { FetchPartitionRequest } from './fetch-session-cache.js';

export const ISOLATION_READ_COMMITTED = 1;
const NO_SLICES: readonly FileSlice[] = [];
const NO_ABORTED: readonly AbortedTxn[] = [];

/** One partition's part of a fetch, decided before any bytes are read. */
export interface PlannedRead {
  readonly request: FetchPartitionRequest;
  readonly errorCode: number;
  readonly partition: HostedPartition | null;
  readonly slices: readonly FileSlice[];
  readonly bytes: number;
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
  /** read_committed: the aborted transactions the returned batches overlap (Kafka's FetchResponse field); else null. */
  readonly abortedTransactions: readonly AbortedTxn[] | null;
}

export interface FetchLimits {
  /** Total response bytes (v3+); Infinity for older versions. */
  readonly maxBytes: number;
  /** Whether a batch larger than the limit is returned whole (KIP-74, v3+). */
  readonly minOneMessage: boolean;
  readonly isolationLevel: number;
  /** Followers read to the log end; consumers to the high watermark. */
  readonly isFollower: boolean;
  /** The fetching follower's broker id (-1 for a consumer): the leader checks it is a replica in its epoch. */
  readonly replicaId?: number;
  /** Topics the principal may not read: their partitions answer TOPIC_AUTHORIZATION_FAILED unread. */
  readonly deniedTopics?: ReadonlySet<string>;
}

/**
 * Finds what each partition would return: the file slices and their sizes, without reading them.
 * Used both to decide whether a long poll has enough bytes and to build the response. Kafka's
 * ReplicaManager.readFromLog: the response limit is shared in request order, and only the first
 * partition that has data may exceed it.
 */
export function planFetch(
  image: MetadataImage,
  replicas: ReplicaManager,
  partitions: readonly FetchPartitionRequest[],
  limits: FetchLimits,
): PlannedRead[] {
  let remaining = limits.maxBytes;
  let minOneMessage = limits.minOneMessage;
  const out: PlannedRead[] = [];
  for (const req of partitions) {
    if (req.topic === '') {
      out.push(failedRead(req, ErrorCode.UNKNOWN_TOPIC_ID));
      continue;
    }
    if (limits.deniedTopics?.has(req.topic)) {
      out.push(failedRead(req, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
      continue;
    }
    const lookup = replicas.leader(image, req.topic, req.partition);
    if (!lookup.partition) {
      out.push(failedRead(req, lookup.errorCode));
      continue;
    }
    const p = lookup.partition;
    const epochError = p.checkLeaderEpoch(req.currentLeaderEpoch);
    if (epochError !== ErrorCode.NONE) {
      out.push(failedRead(req, epochError, p));
      continue;
    }
    try {
      const log = p.log;
      // Kafka's Partition.fetchRecords for a follower: a replica of this partition in this
      // leader epoch (FENCED_LEADER_EPOCH for an older one, NOT_LEADER_OR_FOLLOWER for a stranger).
      const replicaId = limits.replicaId ?? -1;
      const followerError =
        replicaId >= 0 && p.leaderState !== null
          ? p.leaderState.checkFollowerFetch(replicaId, req.currentLeaderEpoch)
          : ErrorCode.NONE;
      if (followerError !== ErrorCode.NONE) {
        out.push(failedRead(req, followerError, p));
        continue;
      }
      // read_committed consumers read below the last stable offset and get the aborted
      // transactions to filter out (KIP-98): the broker sends the stored bytes either way.
      const committed = !limits.isFollower && limits.isolationLevel === ISOLATION_READ_COMMITTED;
      const lastStableOffset = log.lastStableOffset;
      const read = log.read({
        fetchOffset: Number(req.fetchOffset),
        maxBytes: Math.max(0, Math.min(req.partitionMaxBytes, remaining)),
        minOneMessage,
        maxOffset: limits.isFollower ? null : committed ? lastStableOffset : log.highWatermark,
        collectAbortedTransactions: committed,
      });
      out.push({
        request: req,
        errorCode: ErrorCode.NONE,
        partition: p,
        slices: read.slices,
        bytes: read.sizeBytes,
        highWatermark: BigInt(read.highWatermark),
        lastStableOffset: BigInt(lastStableOffset),
        logStartOffset: BigInt(read.logStartOffset),
        abortedTransactions: committed ? (read.abortedTransactions ?? NO_ABORTED) : null,
      });
      if (read.sizeBytes > 0) {
        minOneMessage = false;
        remaining = Math.max(0, remaining - read.sizeBytes);
      }
    } catch (err) {
      const mapped = kafkaErrorFor(err);
      if (!mapped) throw err;
      out.push({
        request: req,
        errorCode: mapped.code,
        partition: p,
        slices: [],
        bytes: 0,
        highWatermark: BigInt(p.log.highWatermark),
        lastStableOffset: BigInt(p.log.lastStableOffset),
        logStartOffset: BigInt(p.log.logStartOffset),
        abortedTransactions: null,
      });
    }
  }
  return out;
}

/** Whether a long poll may answer now: enough bytes, or something the client must hear at once. */
export function fetchIsReady(plan: readonly PlannedRead[], minBytes: number): boolean {
  let bytes = 0;
  for (const r of plan) {
    if (r.errorCode !== ErrorCode.NONE) return true;
    bytes += r.bytes;
  }
  return bytes >= minBytes;
}

/** A partition that fails without reading: its error and no records. */
function failedRead(
  req: FetchPartitionRequest,
  errorCode: number,
  partition: HostedPartition | null = null,
): PlannedRead {
  return {
    request: req,
    errorCode,
    partition,
    slices: NO_SLICES,
    bytes: 0,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    abortedTransactions: null,
  };
}
