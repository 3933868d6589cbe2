import { StromError } from '../common/strom-error.js';
import { ErrorCode } from '../protocol/error-codes.js';

/**
 * Stable codes for storage failures. Those named after Kafka error codes map one to one onto
 * them in the broker (CORRUPT_MESSAGE is Kafka's code 2, and so on); the others are local
 * conditions that stop a log dir or the process from starting.
 */
export type StorageErrorCode =
  /** A batch failed its CRC, length or magic checks. */
  | 'CORRUPT_MESSAGE'
  /** A well-formed batch that breaks a rule: offsets, keys on compacted topics, control batches. */
  | 'INVALID_RECORD'
  /** One batch is larger than max.message.bytes. */
  | 'MESSAGE_TOO_LARGE'
  /** The batches of one append are larger than segment.bytes (Kafka's RECORD_LIST_TOO_LARGE). */
  | 'RECORD_LIST_TOO_LARGE'
  /** A CreateTime timestamp outside message.timestamp.before.max.ms / after.max.ms. */
  | 'INVALID_TIMESTAMP'
  /** A read or truncation outside [logStartOffset, logEndOffset]. */
  | 'OFFSET_OUT_OF_RANGE'
  /** The log dir holding the partition is offline after an I/O error (ENOSPC, EIO). */
  | 'KAFKA_STORAGE_ERROR'
  /** A replicated append whose offsets go backwards (Kafka's OffsetsOutOfOrderException). */
  | 'OFFSETS_OUT_OF_ORDER'
  /** Another live process (or another LogManager here) holds the log dir's `.lock`. */
  | 'LOG_DIR_LOCKED'
  /** meta.properties names a different cluster.id or node.id than this broker's. */
  | 'INCONSISTENT_META_PROPERTIES'
  /** A checkpoint or meta.properties file that cannot be parsed. */
  | 'CORRUPT_CHECKPOINT'
  /** A topic name that cannot be a directory name (Kafka's topic name rules). */
  | 'INVALID_TOPIC'
  /** The partition log or manager was used after close(). */
  | 'LOG_CLOSED'
  /** An idempotent producer's batch whose sequence does not follow its last one. */
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  /** A producer batch or transaction marker with an epoch older than the producer's current one (KIP-588). */
  | 'INVALID_PRODUCER_EPOCH'
  /** A non-transactional batch from a producer whose transaction is open (Kafka's InvalidTxnStateException). */
  | 'INVALID_TXN_STATE'
  /** A transaction marker from a coordinator epoch older than the producer's last marker's (a zombie coordinator). */
  | 'TRANSACTION_COORDINATOR_FENCED';

export class StorageError extends StromError {
  declare readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The error of every operation on a partition of an offline log dir, saying how it comes back. */
export function offlineError(logDir: string): StorageError {
  return new StorageError(
    'KAFKA_STORAGE_ERROR',
    `log dir ${logDir} is offline after an I/O error; it comes back once it takes writes again (free space or fix the disk) or at restart`,
  );
}

/** Errors from the operating system that mean the disk, not our data, is at fault. */
export function isIoError(err: unknown): err is NodeJS.ErrnoException {
  return (
    err instanceof Error &&
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    typeof (err as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** The Kafka error code a response carries for each storage error (see src/storage/README.md). */
const KAFKA_ERROR_FOR: { [C in StorageErrorCode]: number } = {
  CORRUPT_MESSAGE: ErrorCode.CORRUPT_MESSAGE,
  INVALID_RECORD: ErrorCode.INVALID_RECORD,
  MESSAGE_TOO_LARGE: ErrorCode.MESSAGE_TOO_LARGE,
  RECORD_LIST_TOO_LARGE: ErrorCode.RECORD_LIST_TOO_LARGE,
  INVALID_TIMESTAMP: ErrorCode.INVALID_TIMESTAMP,
  OFFSET_OUT_OF_RANGE: ErrorCode.OFFSET_OUT_OF_RANGE,
  KAFKA_STORAGE_ERROR: ErrorCode.KAFKA_STORAGE_ERROR,
  OFFSETS_OUT_OF_ORDER: ErrorCode.UNKNOWN_SERVER_ERROR,
  LOG_DIR_LOCKED: ErrorCode.KAFKA_STORAGE_ERROR,
  INCONSISTENT_META_PROPERTIES: ErrorCode.KAFKA_STORAGE_ERROR,
  CORRUPT_CHECKPOINT: ErrorCode.KAFKA_STORAGE_ERROR,
  INVALID_TOPIC: ErrorCode.INVALID_TOPIC_EXCEPTION,
  LOG_CLOSED: ErrorCode.KAFKA_STORAGE_ERROR,
  OUT_OF_ORDER_SEQUENCE_NUMBER: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  INVALID_PRODUCER_EPOCH: ErrorCode.INVALID_PRODUCER_EPOCH,
  INVALID_TXN_STATE: ErrorCode.INVALID_TXN_STATE,
  TRANSACTION_COORDINATOR_FENCED: ErrorCode.TRANSACTION_COORDINATOR_FENCED,
};

export function kafkaErrorCode(code: StorageErrorCode): number {
  return KAFKA_ERROR_FOR[code];
}

export const STORAGE_ERROR_CODES = Object.keys(KAFKA_ERROR_FOR) as StorageErrorCode[];
