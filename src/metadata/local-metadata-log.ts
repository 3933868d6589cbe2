import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { decodeRecordBatch } from '../protocol/records/record-batch.js';
import { splitBatches } from '../protocol/records/record-batch-header.js';
import { syncDir } from '../storage/checkpoint-file.js';
import { FileHandleCache } from '../storage/file-handle-cache.js';
import { makeLogConfig } from '../storage/log-config.js';
import { scanBatches } from '../storage/log-scan.js';
import { PartitionLog } from '../storage/partition-log.js';
import type { MetadataRecord } from './controller/metadata-record.js';
import { encodeMetadataBatch } from './metadata-batch-codec.js';
import type { MetadataLog } from './metadata-log.js';
import { decodeMetadataRecord } from './metadata-record-serde.js';
import { CLUSTER_METADATA_TOPIC } from './topic-name.js';

export const METADATA_TOPIC = CLUSTER_METADATA_TOPIC;
/** Kafka names snapshots `<endOffset, 20 digits>-<epoch, 10 digits>.checkpoint`; the epoch is 0 on a single node. */
const SNAPSHOT_SUFFIX = '-0000000000.checkpoint';
const RECORDS_PER_SNAPSHOT_BATCH = 1000;

function recordBatch(records: readonly MetadataRecord[], baseOffset = 0n): Buffer {
  return encodeMetadataBatch(records, baseOffset, Date.now());
}

/**
 * The metadata log of a single node: the `__cluster_metadata-0` partition in the first log dir,
 * one record batch per controller operation (so an operation is applied whole or not at all), each
 * fsynced before the append resolves. Snapshots of the image bound replay time: start-up reads the
 * newest snapshot, then only the records after it.
 */
export class LocalMetadataLog implements MetadataLog {
  bytesSinceSnapshot = 0;

  private constructor(
    private readonly log: PartitionLog,
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  static open(logDir: string, logger: Logger, now: () => number = Date.now): LocalMetadataLog {
    const dir = join(logDir, `${METADATA_TOPIC}-0`);
    const log = PartitionLog.open({
      dir,
      topicPartition: { topic: METADATA_TOPIC, partition: 0 },
      // Metadata is never deleted by age or size: only records a snapshot covers are dropped.
      config: makeLogConfig({
        durability: 'fsync',
        retentionMs: -1,
        retentionBytes: -1,
        segmentBytes: 16 * 1024 * 1024,
      }),
      cache: new FileHandleCache(16),
      now,
      logger: logger.child({ topic: METADATA_TOPIC, partition: 0 }),
    });
    return new LocalMetadataLog(log, dir, logger);
  }

  async append(records: readonly MetadataRecord[]): Promise<bigint> {
    const batch = recordBatch(records);
    const result = await this.log.append(batch);
    this.log.setHighWatermark(result.lastOffset + 1);
    this.bytesSinceSnapshot += batch.length;
    return BigInt(result.lastOffset);
  }

  async replay(apply: (record: MetadataRecord, offset: bigint) => void): Promise<void> {
    const snapshot = this.latestSnapshot();
    let after = -1n;
    if (snapshot) {
      after = snapshot.offset;
      for (const b of splitBatches(readFileSync(join(this.dir, snapshot.file))).batches) {
        for (const rec of decodeRecordBatch(b).records)
          if (rec.value !== null) apply(decodeMetadataRecord(rec.value), after);
      }
      this.logger.info({ offset: Number(after), file: snapshot.file }, 'metadata snapshot loaded');
    }
    for (const b of scanBatches(this.log, Number(after + 1n))) {
      this.bytesSinceSnapshot += b.length;
      const batch = decodeRecordBatch(b);
      for (const rec of batch.records) {
        const offset = batch.baseOffset + BigInt(rec.offsetDelta);
        if (offset > after && rec.value !== null) apply(decodeMetadataRecord(rec.value), offset);
      }
    }
  }

  async writeSnapshot(records: readonly MetadataRecord[], lastOffset: bigint): Promise<void> {
    const name = `${lastOffset.toString().padStart(20, '0')}${SNAPSHOT_SUFFIX}`;
    const temp = join(this.dir, `${name}.part`);
    const fd = openSync(temp, 'w');
    try {
      for (let i = 0; i < records.length; i += RECORDS_PER_SNAPSHOT_BATCH) {
        writeSync(fd, recordBatch(records.slice(i, i + RECORDS_PER_SNAPSHOT_BATCH), BigInt(i)));
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, join(this.dir, name));
    syncDir(this.dir);
    for (const old of this.snapshots())
      if (old.file !== name) rmSync(join(this.dir, old.file), { force: true });
    this.log.deleteRecordsBefore(Math.min(Number(lastOffset) + 1, this.log.highWatermark));
    this.bytesSinceSnapshot = 0;
    this.logger.info({ offset: Number(lastOffset), records: records.length }, 'metadata snapshot written');
  }

  private snapshots(): { file: string; offset: bigint }[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(SNAPSHOT_SUFFIX) && /^\d{20}-/.test(f))
      .map((file) => ({ file, offset: BigInt(file.slice(0, 20)) }))
      .sort((a, b) => (a.offset < b.offset ? -1 : 1));
  }

  private latestSnapshot(): { file: string; offset: bigint } | undefined {
    return this.snapshots().at(-1);
  }

  async close(): Promise<void> {
    await this.log.close();
  }
}
