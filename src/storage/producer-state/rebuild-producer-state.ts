import { BatchOffsets, splitBatches } from '../../protocol/records/record-batch-header.js';
import type { ProducerStateManager } from './producer-state-manager.js';

/** Bytes read at a time when the producer state is rebuilt from the log. */
const REPLAY_CHUNK_BYTES = 8 * 1024 * 1024;

/** What rebuilding the producer state needs of a partition log. */
export interface ReplaySource {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** The whole batches from the one holding `offset`, up to about maxBytes; empty at the end. */
  readBatchesFrom(offset: number, maxBytes: number): Buffer;
}

/**
 * Rebuilds a partition's producer state (Kafka's LogLoader/UnifiedLog.rebuildProducerState): the
 * latest snapshot at or below the log end, then every batch after it, replayed without checks as a
 * follower's batches are. After a clean shutdown with no snapshot at all (a log written before
 * producer state was kept, or one that never saw a producer id) the state starts empty instead of
 * reading the whole log, as Kafka does on upgrade.
 */
export function rebuildProducerState(
  state: ProducerStateManager,
  log: ReplaySource,
  hadCleanShutdown: boolean,
  nowMs: number,
): void {
  const hadSnapshot = state.snapshotOffsets().length > 0;
  const from = state.load(log.logEndOffset, nowMs);
  if (!hadSnapshot && hadCleanShutdown) return;
  let offset = Math.max(from, log.logStartOffset);
  while (offset < log.logEndOffset) {
    const { batches } = splitBatches(log.readBatchesFrom(offset, REPLAY_CHUNK_BYTES));
    if (batches.length === 0) break;
    const before = offset;
    for (const b of batches) {
      const next = Number(b.readBigInt64BE(0)) + b.readInt32BE(BatchOffsets.lastOffsetDelta) + 1;
      // The first batch read may start below `offset` (it holds it): already in the snapshot.
      if (next <= offset) continue;
      state.replay(b);
      offset = next;
    }
    if (offset === before) break;
  }
}
