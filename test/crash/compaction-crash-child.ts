// Child process for compaction-crash.test.ts: appends keyed records to a compacted topic and runs
// the cleaner often, printing "<offset> <seq>" per acknowledged record, until SIGKILLed.
import { LogManager } from '../../src/storage/log-manager.js';
import { buildBatch } from '../storage/batch-builder.js';

export const COMPACT_TOPIC = { topic: 'compact-crash', partition: 0 };

const [dir, firstSeq] = process.argv.slice(2);
const manager = LogManager.open({
  logDirs: [dir!],
  clusterId: 'crash-test',
  nodeId: 1,
  defaultConfig: {
    cleanupPolicy: 'compact',
    segmentBytes: 4096,
    minCleanableDirtyRatio: 0.01,
    fileDeleteDelayMs: 0,
  },
});
const log = manager.getOrCreateLog(COMPACT_TOPIC);
process.stdout.write('ready\n');

let seq = Number(firstSeq);
for (let i = 0; ; i++) {
  const s = seq++;
  const r = await log.append(buildBatch([{ key: `key-${s % 37}`, value: `value-${s}` }]));
  process.stdout.write(`${r.baseOffset} ${s}\n`);
  if (i % 25 === 24) {
    log.roll();
    log.setHighWatermark(log.logEndOffset);
    await manager.runCleaner();
  }
}
