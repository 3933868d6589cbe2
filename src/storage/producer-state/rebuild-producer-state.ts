import { BatchOffsets, splitBatches } from '../../protocol/records/record-batch-header.js';
import { batchInfoAt } from '../batch-cursor.js';
import { producerBatches } from './producer-append.js';
import {
  type BatchMetadata,
  NUM_BATCHES_TO_RETAIN,
  type ProducerStateEntry,
} from './producer-state-entry.js';
import type { AppliedCompletedTxn, ProducerStateManager } from './producer-state-manager.js';

/** Bytes read at a time when the producer state is rebuilt from the log. */
const REPLAY_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * How far before a snapshot the log is read back for the batches the snapshot could not hold:
 * the bytes, and the offsets of the first, nearest window (each further one is twice as wide).
 */
export const HISTORY_MAX_BYTES = 32 * 1024 * 1024;
const HISTORY_FIRST_WINDOW_OFFSETS = 4096;
/**
 * Only producers that wrote this recently (by their last batch's timestamp, as expiration
 * measures) can still be retrying a batch: a client gives up on one after delivery.timeout.ms,
 * two minutes by default.
 */
export const HISTORY_RECENT_MS = 15 * 60_000;

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
 *
 * A snapshot in Kafka's format holds only each producer's last batch, while a retry may be of any
 * of its last five: a broker stopped with five batches of a producer appended and unacknowledged,
 * a roll (and its snapshot) after the first of them, would answer the retry of that first batch
 * OUT_OF_ORDER_SEQUENCE_NUMBER, which the producer, Java's as ours, takes for a gap: it bumps its
 * epoch and sends the batch again under new sequences, a duplicate. So the batches before the
 * snapshot of its recently active producers are read back from the log as well (see fillHistory).
 *
 * With `txnIndexFrom` (segments from there on were recovered and their transaction indexes
 * emptied), the replay starts at a snapshot at or below it, and every transaction aborted by a
 * marker from there on goes to `onAborted`, for its segment's index (Kafka's LogSegment.recover
 * rebuilds the index from the producer state the same way).
 */
export function rebuildProducerState(
  state: ProducerStateManager,
  log: ReplaySource,
  hadCleanShutdown: boolean,
  nowMs: number,
  txnIndexFrom: number | null = null,
  onAborted: (t: AppliedCompletedTxn) => void = () => {},
): void {
  const hadSnapshot = state.snapshotOffsets().length > 0;
  const from = state.load(log.logEndOffset, nowMs, txnIndexFrom ?? log.logEndOffset);
  if (!hadSnapshot && hadCleanShutdown && txnIndexFrom === null) return;
  const start = Math.max(from, log.logStartOffset);
  replay(log, start, log.logEndOffset, (b) => {
    for (const t of state.replay(b))
      if (t.isAborted && txnIndexFrom !== null && t.lastOffset >= txnIndexFrom) onAborted(t);
  });
  if (start > log.logStartOffset) fillHistory(state, log, start, nowMs);
}

/**
 * Calls `each` with every batch after `from` (the first may hold it) that starts below `to`, in
 * order, reading at most about maxBytes. Returns the bytes read.
 */
function replay(
  log: ReplaySource,
  from: number,
  to: number,
  each: (batch: Buffer, baseOffset: number) => void,
  maxBytes = Number.POSITIVE_INFINITY,
): number {
  let offset = from;
  let read = 0;
  while (offset < to && read < maxBytes) {
    const chunk = log.readBatchesFrom(offset, Math.min(REPLAY_CHUNK_BYTES, maxBytes - read));
    read += chunk.length;
    const { batches } = splitBatches(chunk);
    if (batches.length === 0) break;
    const before = offset;
    for (const b of batches) {
      const base = Number(b.readBigInt64BE(0));
      const next = base + b.readInt32BE(BatchOffsets.lastOffsetDelta) + 1;
      // The first batch read may start below `offset` (it holds it): already seen.
      if (next <= offset) continue;
      if (base >= to) return read;
      each(b, base);
      offset = next;
    }
    if (offset === before) break;
  }
  return read;
}

/**
 * Reads the log back from `snapshotOffset`, in windows each twice as wide as the one after it,
 * for the batches of the producers whose retained batches start with the snapshot's one: each gets
 * back up to NUM_BATCHES_TO_RETAIN batches of its current epoch. Bounded by HISTORY_MAX_BYTES and
 * to producers active in the last HISTORY_RECENT_MS, so that a restart does not read whole logs
 * for producers long idle.
 */
function fillHistory(
  state: ProducerStateManager,
  log: ReplaySource,
  snapshotOffset: number,
  nowMs: number,
): void {
  /** Per producer still short of batches, the first offset of its oldest batch known. */
  const short = new Map<bigint, { entry: ProducerStateEntry; before: number }>();
  for (const entry of state.entries()) {
    const oldest = entry.batches[0];
    if (!oldest || oldest.lastOffset >= snapshotOffset) continue;
    if (entry.batches.length >= NUM_BATCHES_TO_RETAIN || nowMs - entry.lastTimestamp > HISTORY_RECENT_MS)
      continue;
    short.set(entry.producerId, { entry, before: oldest.lastOffset - oldest.offsetDelta });
  }
  let budget = HISTORY_MAX_BYTES;
  let to = snapshotOffset;
  for (
    let width = HISTORY_FIRST_WINDOW_OFFSETS;
    short.size > 0 && to > log.logStartOffset && budget > 0;
    width *= 2
  ) {
    const from = Math.max(log.logStartOffset, to - width);
    const found = new Map<bigint, BatchMetadata[]>();
    /** Producers met in an older epoch here: nothing before is theirs to retain. */
    const done = new Set<bigint>();
    budget -= replay(
      log,
      from,
      to,
      (batch, base) => {
        // The batch holding `from` may start below it: it belongs to the next window back.
        if (base < from) return;
        for (const b of producerBatches(batch, [batchInfoAt(batch, 0, 0)])) {
          const s = short.get(b.producerId);
          if (!s || b.lastOffset >= s.before || b.isControl) continue;
          if (b.producerEpoch !== s.entry.producerEpoch) {
            done.add(b.producerId);
            found.delete(b.producerId);
            continue;
          }
          const list = found.get(b.producerId) ?? [];
          list.push({
            firstSeq: b.firstSeq,
            lastSeq: b.lastSeq,
            lastOffset: b.lastOffset,
            offsetDelta: b.lastOffset - b.firstOffset,
            timestamp: b.maxTimestamp,
          });
          found.set(b.producerId, list);
        }
      },
      budget,
    );
    for (const [id, batches] of found) {
      const s = short.get(id)!;
      s.entry.prependBatches(batches);
      s.before = batches[0]!.lastOffset - batches[0]!.offsetDelta;
      if (s.entry.batches.length >= NUM_BATCHES_TO_RETAIN) short.delete(id);
    }
    for (const id of done) short.delete(id);
    to = from;
  }
}
