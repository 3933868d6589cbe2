// Child process for follower-crash.test.ts: a follower's storage work, forever, until SIGKILL.
// It appends batches at the leader's offsets (origin replication) and now and then truncates
// (a new leader epoch whose leader's log diverged), printing each step:
//   "A <base> <records> <epoch> <tag>"  after an append resolved
//   "t <offset>"                        before a truncation
//   "T <offset>"                        after it resolved
import { LogManager } from '../../src/storage/log-manager.js';
import { rng } from './crash-harness.js';
import { FOLLOWER_SEGMENT_BYTES, FOLLOWER_TOPIC, followerBatch } from './crash-workload.js';

const [dir, seedArg] = process.argv.slice(2);
const random = rng(Number(seedArg));
const manager = LogManager.open({
  logDirs: [dir!],
  clusterId: 'crash-test',
  nodeId: 2,
  defaultConfig: { segmentBytes: FOLLOWER_SEGMENT_BYTES, indexIntervalBytes: 512 },
});
const log = manager.getOrCreateLog(FOLLOWER_TOPIC);
let epoch = log.epochs.latestEpoch() + 1;
process.stdout.write('ready\n');

for (;;) {
  const end = log.logEndOffset;
  if (end > 0 && random() < 0.06) {
    const target = Math.max(0, end - Math.floor(random() * 40));
    process.stdout.write(`t ${target}\n`);
    await manager.truncateTo(FOLLOWER_TOPIC, target);
    process.stdout.write(`T ${target}\n`);
    epoch++;
  } else {
    const records = 1 + Math.floor(random() * 6);
    const tag = Math.floor(random() * 256);
    await log.append(followerBatch(end, records, epoch, tag), { origin: 'replication' });
    // Pipes are written synchronously on Linux: a printed line is a finished step.
    process.stdout.write(`A ${end} ${records} ${epoch} ${tag}\n`);
  }
}
