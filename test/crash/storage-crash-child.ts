// Child process for storage-crash.test.ts: appends batches forever and prints "<baseOffset> <seq>"
// for each acknowledged append, until the parent kills it with SIGKILL.
import { LogManager } from '../../src/storage/log-manager.js';
import { CRASH_SEGMENT_BYTES, CRASH_TOPIC, crashBatch } from './crash-workload.js';

const [dir, mode, firstSeq] = process.argv.slice(2);
const manager = LogManager.open({
  logDirs: [dir!],
  clusterId: 'crash-test',
  nodeId: 1,
  defaultConfig: {
    durability: mode === 'fsync' ? 'fsync' : 'default',
    segmentBytes: CRASH_SEGMENT_BYTES,
    indexIntervalBytes: 1024,
  },
});
const log = manager.getOrCreateLog(CRASH_TOPIC);
process.stdout.write('ready\n');

let seq = Number(firstSeq);
async function producer(): Promise<void> {
  for (;;) {
    const s = seq++;
    const r = await log.append(crashBatch(s));
    // Pipes are written synchronously on Linux, so a printed line is a sent acknowledgement.
    process.stdout.write(`${r.baseOffset} ${s}\n`);
  }
}
// In fsync mode several producers run at once so that appends share fsyncs (group commit).
const producers = mode === 'fsync' ? 4 : 1;
for (let i = 0; i < producers; i++) void producer();
