import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { decodeRecordBatch, encodeRecordBatch } from '../protocol/records/record-batch.js';
import { FileHandleCache } from '../storage/file-handle-cache.js';
import { makeLogConfig } from '../storage/log-config.js';
import { scanBatches } from '../storage/log-scan.js';
import { PartitionLog } from '../storage/partition-log.js';
import type { MetadataRecord } from './controller/metadata-record.js';
import type { MetadataLog } from './metadata-log.js';
import { decodeMetadataRecord, encodeMetadataRecord } from './metadata-record-serde.js';

export const METADATA_TOPIC = '__cluster_metadata';

/**
 * The metadata log of a single node: the `__cluster_metadata-0` partition in the first log dir,
 * one record batch per controller operation (so an operation is applied whole or not at all), each
 * fsynced before the append resolves.
 */
export class LocalMetadataLog implements MetadataLog {
  private constructor(private readonly log: PartitionLog) {}

  static open(logDir: string, logger: Logger, now: () => number = Date.now): LocalMetadataLog {
    const cache = new FileHandleCache(16);
    const log = PartitionLog.open({
      dir: join(logDir, `${METADATA_TOPIC}-0`),
      topicPartition: { topic: METADATA_TOPIC, partition: 0 },
      // Metadata is never deleted by age or size; snapshots will bound it later.
      config: makeLogConfig({
        durability: 'fsync',
        retentionMs: -1,
        retentionBytes: -1,
        segmentBytes: 64 * 1024 * 1024,
      }),
      cache,
      now,
      logger: logger.child({ topic: METADATA_TOPIC, partition: 0 }),
    });
    return new LocalMetadataLog(log);
  }

  async append(records: readonly MetadataRecord[]): Promise<bigint> {
    const batch = encodeRecordBatch({
      baseTimestamp: BigInt(Date.now()),
      records: records.map((r, i) => ({
        attributes: 0,
        timestampDelta: 0,
        offsetDelta: i,
        key: null,
        value: encodeMetadataRecord(r),
        headers: [],
      })),
    });
    const result = await this.log.append(batch);
    this.log.setHighWatermark(result.lastOffset + 1);
    return BigInt(result.lastOffset);
  }

  async replay(apply: (record: MetadataRecord, offset: bigint) => void): Promise<void> {
    for (const b of scanBatches(this.log)) {
      const batch = decodeRecordBatch(b);
      for (const rec of batch.records) {
        if (rec.value !== null)
          apply(decodeMetadataRecord(rec.value), batch.baseOffset + BigInt(rec.offsetDelta));
      }
    }
  }

  async close(): Promise<void> {
    await this.log.close();
  }
}
