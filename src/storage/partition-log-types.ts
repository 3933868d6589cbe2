import type { Logger } from '../common/logger.js';
import type { AppendOrigin } from './append-validator.js';
import type { TopicPartition } from './checkpoint-file.js';
import type { FileHandleCache } from './file-handle-cache.js';
import type { FileSlice } from './file-slice.js';
import type { LogConfig } from './log-config.js';
import type { AbortedTxn } from './transaction-index.js';
import type { WriteScheduler } from './write-scheduler.js';

export interface AppendOptions {
  /** The leader's epoch, stamped into each batch (leader appends). Omit on followers. */
  leaderEpoch?: number;
  /** 'client' (default) gets every check; 'replication' keeps the leader's offsets. */
  origin?: AppendOrigin;
  /** The batches passed precheckProducedBatches: their CRCs and compressed records are not checked again. */
  prechecked?: boolean;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** The broker time stamped for LogAppendTime topics, else -1 (ProduceResponse's log_append_time_ms). */
  logAppendTime: number;
  logStartOffset: number;
  maxTimestamp: number;
  offsetOfMaxTimestamp: number;
  recordCount: number;
}

export interface ReadOptions {
  fetchOffset: number;
  maxBytes: number;
  /** Return the first batch whole even when it is larger than maxBytes (KIP-74). */
  minOneMessage?: boolean;
  /**
   * Exclusive upper bound: the high watermark (read_uncommitted consumers), the last stable offset
   * (read_committed) or null (followers).
   */
  maxOffset?: number | null;
  /** read_committed: also give the aborted transactions the returned batches overlap. */
  collectAbortedTransactions?: boolean;
}

export interface ReadResult {
  /** Zero or one slice (a read never spans segments, as in Kafka). */
  slices: FileSlice[];
  sizeBytes: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  /** With collectAbortedTransactions and batches returned: the aborted transactions they overlap; else null. */
  abortedTransactions: AbortedTxn[] | null;
}

export interface PartitionLogOptions {
  dir: string;
  topicPartition: TopicPartition;
  config: LogConfig;
  cache: FileHandleCache;
  now?: () => number;
  logger?: Logger;
  recoveryPoint?: number;
  logStartOffset?: number;
  highWatermark?: number;
  hadCleanShutdown?: boolean;
  /** Called on an I/O error; the manager takes the log dir offline (and logs it once). */
  onIoError?: (err: Error) => void;
  /** True once the log dir is offline: every call then fails with KAFKA_STORAGE_ERROR. */
  isOffline?: () => boolean;
  /** Batches the writes of `append` per turn of the event loop; defaults to the process's shared one. */
  writeScheduler?: WriteScheduler;
  /** producer.id.expiration.ms: idle producer ids are forgotten after this (default a day). */
  producerIdExpirationMs?: number;
  /** Runs deferred file deletions; defaults to an unref'd setTimeout. */
  schedule?: (fn: () => void, delayMs: number) => void;
}

/** An end-transaction marker to append (PartitionLog.appendTransactionMarker). */
export interface TransactionMarker {
  producerId: bigint;
  producerEpoch: number;
  /** The transaction coordinator's epoch (the leader epoch of its __transaction_state partition). */
  coordinatorEpoch: number;
  result: 'COMMIT' | 'ABORT';
  /** The partition leader's epoch, stamped into the batch as produce appends do. */
  leaderEpoch?: number;
}

/** Special ListOffsets timestamps. */
export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;
export const MAX_TIMESTAMP = -3;
