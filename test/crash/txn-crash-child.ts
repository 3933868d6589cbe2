// Child process for txn-crash.test.ts: transactional producers write batches, commit and abort
// markers to one partition of small segments (so rolls and snapshots happen), printing
// "<offset> <kind*100+producer>" per acknowledged append (kind 0 data, 1 commit, 2 abort, 3 plain),
// until SIGKILLed. Transactions left open by an earlier run are continued.
import { ATTR_TRANSACTIONAL } from '../../src/protocol/records/record-batch-header.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { buildBatch } from '../storage/batch-builder.js';
import { rng } from './crash-harness.js';

export const TXN_TOPIC = { topic: 'txn-crash', partition: 0 };
export const PRODUCERS = 4;

const [dir, seed] = process.argv.slice(2);
const random = rng(Number(seed));
const manager = LogManager.open({
  logDirs: [dir!],
  clusterId: 'crash-test',
  nodeId: 1,
  defaultConfig: { segmentBytes: 4096, fileDeleteDelayMs: 0 },
});
const log = manager.getOrCreateLog(TXN_TOPIC);
log.setHighWatermark(log.logEndOffset);
process.stdout.write('ready\n');

for (;;) {
  const pid = 1 + Math.floor(random() * PRODUCERS);
  const entry = log.producerState.entry(BigInt(pid));
  const open = entry !== undefined && entry.currentTxnFirstOffset >= 0;
  const roll = random();
  let kind: number;
  let offset: number;
  if (open && roll < 0.35) {
    kind = roll < 0.17 ? 2 : 1;
    offset = await log.appendTransactionMarker({
      producerId: BigInt(pid),
      producerEpoch: 0,
      coordinatorEpoch: 0,
      result: kind === 2 ? 'ABORT' : 'COMMIT',
    });
  } else if (roll < 0.9) {
    kind = 0;
    const seq = entry === undefined ? 0 : entry.lastSeq + 1;
    const n = 1 + Math.floor(random() * 3);
    const batch = buildBatch(
      Array.from({ length: n }, (_, i) => ({ value: `p${pid}-${seq + i}` })),
      {
        producerId: BigInt(pid),
        producerEpoch: 0,
        baseSequence: seq,
        attributes: ATTR_TRANSACTIONAL,
        baseTimestamp: Date.now(),
      },
    );
    offset = (await log.append(batch)).baseOffset;
  } else {
    kind = 3;
    offset = (await log.append(buildBatch([{ value: 'plain' }], { baseTimestamp: Date.now() }))).baseOffset;
  }
  log.setHighWatermark(log.logEndOffset);
  process.stdout.write(`${offset} ${kind === 3 ? 300 : kind * 100 + pid}\n`);
}
