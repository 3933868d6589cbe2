import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitBatches } from '../../src/protocol/records/record-batch-header.js';
import { FileHandleCache } from '../../src/storage/file-handle-cache.js';
import { type LogConfig, makeLogConfig } from '../../src/storage/log-config.js';
import type { ReadResult } from '../../src/storage/partition-log.js';
import { PartitionLog, type PartitionLogOptions } from '../../src/storage/partition-log.js';

export function tempDir(prefix = 'strom-storage-'): string {
  return fs.mkdtempSync(join(tmpdir(), prefix));
}

/** A manually advanced wall clock. */
export class TestClock {
  ms: number;
  constructor(ms = 1_700_000_000_000) {
    this.ms = ms;
  }
  readonly now = (): number => this.ms;
}

export function openLog(
  dir: string,
  config: Partial<LogConfig> = {},
  extra: Partial<PartitionLogOptions> = {},
): PartitionLog {
  return PartitionLog.open({
    dir,
    topicPartition: { topic: 't', partition: 0 },
    config: makeLogConfig({ fileDeleteDelayMs: 0, ...config }),
    cache: extra.cache ?? new FileHandleCache(64),
    ...extra,
  });
}

/** The whole batches a read returned (a partial trailing batch dropped, as clients do). */
export function readBatches(r: ReadResult): Buffer[] {
  const out: Buffer[] = [];
  for (const s of r.slices) out.push(...splitBatches(s.readSync()).batches);
  return out;
}

/** Every batch in the log from `from`, following reads to the end. */
export function readAll(log: PartitionLog, from = log.logStartOffset): Buffer[] {
  const out: Buffer[] = [];
  let next = from;
  while (next < log.logEndOffset) {
    const batches = readBatches(log.read({ fetchOffset: next, maxBytes: 1 << 20 }));
    if (batches.length === 0) break;
    for (const b of batches) {
      out.push(b);
      next = Number(b.readBigInt64BE(0)) + b.readInt32BE(23) + 1;
    }
  }
  return out;
}
