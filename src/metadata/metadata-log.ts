import { StromError } from '../common/strom-error.js';
import type { MetadataRecord } from './controller/metadata-record.js';

/** The records one append made durable, with the offset of the last one. */
export interface MetadataBatch {
  readonly records: readonly MetadataRecord[];
  readonly lastOffset: bigint;
}

/**
 * Where metadata records are kept: a local partition log on a single node, etcd in a cluster.
 * Appends are durable when their promise resolves; replay yields every record in order.
 */
export interface MetadataLog {
  /**
   * Appends records atomically and durably; resolves to the offset of the last one. A shared log
   * refuses with MetadataLogMovedError when another writer appended since this one last read.
   */
  append(records: readonly MetadataRecord[]): Promise<bigint>;
  /** Calls `apply` for the latest snapshot's records, then for every record after it, in order. */
  replay(apply: (record: MetadataRecord, offset: bigint) => void): Promise<void>;
  /** Bytes appended since the last snapshot: the manager snapshots when this grows too large. */
  readonly bytesSinceSnapshot: number;
  /**
   * Stores `records` (the whole image) as the state at `lastOffset`, durably, then lets the log
   * drop what the snapshot covers.
   */
  writeSnapshot(records: readonly MetadataRecord[], lastOffset: bigint): Promise<void>;
  /**
   * Shared logs only (several brokers, one log): the batches other writers appended since this
   * log's replay or last read, in order.
   */
  readNew?(): Promise<MetadataBatch[]>;
  /** Shared logs only: calls `onAppended` whenever another writer may have appended. */
  watch?(onAppended: () => void): void;
  close(): Promise<void>;
}

/**
 * A shared log moved under an append: another writer appended first. The append wrote nothing;
 * the writer reads the new records and decides again on the image they make.
 */
export class MetadataLogMovedError extends StromError {
  constructor(expectedOffset: bigint) {
    super('METADATA_LOG_MOVED', `the metadata log moved past offset ${expectedOffset} before this append`);
  }
}

/**
 * A shared log no longer holds the records a reader needs: a snapshot covered and dropped them
 * while the reader was behind. The reader must start again from the snapshot.
 */
export class MetadataLogTruncatedError extends StromError {
  constructor(nextOffset: bigint, firstKept: bigint) {
    super(
      'METADATA_LOG_TRUNCATED',
      `metadata records from offset ${nextOffset} were dropped by a snapshot (first kept: ${firstKept}); restart to load the snapshot`,
    );
  }
}

/**
 * A shared log refused an append because this writer no longer holds the right to write (its
 * controller election key is gone or newer): a deposed controller's records never reach the log.
 */
export class MetadataWriterFencedError extends StromError {
  constructor() {
    super(
      'METADATA_WRITER_FENCED',
      'this broker is no longer the active controller: its metadata append was refused',
    );
  }
}
