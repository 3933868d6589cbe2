import type { MetadataRecord } from './controller/metadata-record.js';

/**
 * Where metadata records are kept: a local partition log on a single node, etcd in a cluster.
 * Appends are durable when their promise resolves; replay yields every record in order.
 */
export interface MetadataLog {
  /** Appends records atomically and durably; resolves to the offset of the last one. */
  append(records: readonly MetadataRecord[]): Promise<bigint>;
  /** Calls `apply` for every record from the start, in order. */
  replay(apply: (record: MetadataRecord, offset: bigint) => void): Promise<void>;
  close(): Promise<void>;
}
