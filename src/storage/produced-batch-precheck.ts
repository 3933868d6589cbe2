import type { ConcurrencyLimit } from '../common/concurrency-limit.js';
import { ProtocolError } from '../protocol/primitives/protocol-error.js';
import {
  ATTR_COMPRESSION_MASK,
  BATCH_HEADER_BYTES,
  BatchOffsets,
  type CompressionType,
  type RecordBatchHeader,
  splitBatches,
} from '../protocol/records/record-batch-header.js';
import { walkCompressedRecords } from '../protocol/records/record-stream.js';
import {
  checkBatchHeader,
  checkLeaderBatch,
  isCompressed,
  storageErrorFor,
  walkRecords,
} from './append-validator.js';
import type { LogConfig } from './log-config.js';
import { StorageError } from './storage-error.js';

export interface PrecheckOptions {
  nowMs: number;
  /** Most bytes one batch may decompress to; more is MESSAGE_TOO_LARGE. */
  decompressedBytesMax: number;
  /**
   * Content decompressed whole on the calling thread, as before, when the batch expands to no
   * more: what nearly every producer sends. Larger batches are walked piece by piece instead.
   */
  inlineBytesMax?: number;
  /** Bounds the piece-by-piece walks running at once across the broker. */
  limit?: ConcurrencyLimit;
}

/**
 * `none`: nothing compressed to check here, validateAndAssign checks everything. `done`: checked
 * on this thread. A function: the checks left, piece by piece; call it (once) and await it.
 * After `done` or the function's success, append with `prechecked: true`.
 */
export type Precheck = 'none' | 'done' | (() => Promise<void>);

/** 1 MiB: a producer's batch.size is 16 KiB (Java) to 1 MB (librdkafka) before compression. */
export const INLINE_DECOMPRESSED_BYTES_MAX = 1 << 20;

function overInlineBudget(e: unknown): boolean {
  return (
    e instanceof StorageError && e.cause instanceof ProtocolError && e.cause.code === 'DECOMPRESSED_TOO_LARGE'
  );
}

/**
 * What a leader checks of a produced batch before appending it (see validateAndAssign), for
 * batches with compressed records, done before the append so that a batch expanding to hundreds of
 * megabytes neither blocks the event loop nor is held in memory: those are walked piece by piece,
 * yielding between slices, under `decompressedBytesMax`. Throws (or the returned function rejects
 * with) the StorageError validateAndAssign would, MESSAGE_TOO_LARGE past the cap.
 */
export function precheckProducedBatches(data: Buffer, config: LogConfig, opts: PrecheckOptions): Precheck {
  let batches: Buffer[];
  try {
    const split = splitBatches(data);
    if (split.partialTail !== 0) return 'none';
    batches = split.batches;
  } catch {
    return 'none'; // validateAndAssign reports malformed framing
  }
  const compressed = batches.some(
    (b) =>
      b.length >= BATCH_HEADER_BYTES &&
      (b.readInt16BE(BatchOffsets.attributes) & ATTR_COMPRESSION_MASK) !== 0,
  );
  if (!compressed) return 'none';
  const inline = Math.min(opts.inlineBytesMax ?? INLINE_DECOMPRESSED_BYTES_MAX, opts.decompressedBytesMax);
  const checkOpts = { nowMs: opts.nowMs, origin: 'client' as const };
  const deferred: { batch: Buffer; h: RecordBatchHeader }[] = [];
  for (const batch of batches) {
    const h = checkBatchHeader(batch, config, true);
    const check = checkLeaderBatch(h, config, checkOpts);
    if (check === null || !isCompressed(h)) continue; // uncompressed records: validateAndAssign walks them
    try {
      walkRecords(batch, h, check, inline);
    } catch (e) {
      if (inline < opts.decompressedBytesMax && overInlineBudget(e)) deferred.push({ batch, h });
      else throw e;
    }
  }
  if (deferred.length === 0) return 'done';
  return async () => {
    for (const { batch, h } of deferred) {
      // A fresh check: the inline attempt advanced the first one's expected offset delta.
      const check = checkLeaderBatch(h, config, checkOpts)!;
      const info = {
        compression: (h.attributes & ATTR_COMPRESSION_MASK) as CompressionType,
        recordCount: h.recordCount,
        lastOffsetDelta: h.lastOffsetDelta,
      };
      const walk = (): Promise<void> =>
        walkCompressedRecords(batch, info, check, { maxBytes: opts.decompressedBytesMax }).catch((e) => {
          throw storageErrorFor(e);
        });
      await (opts.limit ? opts.limit.run(walk) : walk());
    }
  };
}
