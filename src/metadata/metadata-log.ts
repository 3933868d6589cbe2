import type { MetadataRecord } from './controller/metadata-record.js';

/**
 * Where metadata records are kept: a local partition log on a single node, etcd in a cluster.
 * Appends are durable when their promise resolves; replay yields every record in order.
 */
export interface MetadataLog {
  /** Appends records atomically and durably; resolves to the offset of the last one. */
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
  close(): Promise<void>;
}
