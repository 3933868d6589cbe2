import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import type { FileHandleCache } from './file-handle-cache.js';
import type { LogConfig } from './log-config.js';
import { LOG_SUFFIX, LogSegment, SWAP_SUFFIX } from './log-segment.js';
import { classifySegmentFiles, segmentsToRecover } from './recovery-plan.js';

export interface LoadedSegments {
  segments: LogSegment[];
  logEndOffset: number;
  /** Bytes cut off torn or corrupt tails. */
  truncatedBytes: number;
  /**
   * The base offset of the first segment recovered, whose transaction index (and every later
   * one's) was emptied and must be written again from the producer state replay; null if none.
   */
  txnIndexRebuildFrom: number | null;
}

/**
 * Opens a partition directory (Kafka's LogLoader): removes `.cleaned`/`.deleted` leftovers,
 * completes interrupted swaps, opens segments without reading them, and after an unclean stop
 * verifies every segment from the recovery point on, truncating at the first torn or corrupt
 * batch and dropping any segment after it.
 */
export function loadSegments(
  dir: string,
  config: LogConfig,
  cache: FileHandleCache,
  opts: {
    recoveryPoint: number;
    logStartOffset: number;
    hadCleanShutdown: boolean;
    nowMs: number;
    logger: Logger;
  },
): LoadedSegments {
  fs.mkdirSync(dir, { recursive: true });
  const settings = {
    indexIntervalBytes: config.indexIntervalBytes,
    segmentIndexBytes: config.segmentIndexBytes,
  };
  let files = classifySegmentFiles(fs.readdirSync(dir));
  for (const name of files.remove) fs.rmSync(join(dir, name), { force: true });
  const swapped = new Set<number>();
  for (const name of files.swaps) {
    const final = name.slice(0, -SWAP_SUFFIX.length);
    if (final.endsWith(LOG_SUFFIX)) {
      // A `.swap` log is a complete cleaned segment: the swap was interrupted after it was written.
      fs.renameSync(join(dir, name), join(dir, final));
      swapped.add(Number(final.slice(0, 20)));
    } else fs.rmSync(join(dir, name), { force: true });
  }
  if (files.swaps.length > 0) files = classifySegmentFiles(fs.readdirSync(dir));

  let segments = files.logs.map((base) => LogSegment.open(dir, base, cache, settings));
  let truncatedBytes = 0;
  let txnIndexRebuildFrom: number | null = null;
  const recover = new Set(segmentsToRecover(files.logs, opts.recoveryPoint, opts.hadCleanShutdown));
  for (const b of swapped) recover.add(b);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (!recover.has(seg.baseOffset)) continue;
    const cut = seg.recover(config.indexIntervalBytes);
    seg.txnIndex.reset();
    txnIndexRebuildFrom ??= seg.baseOffset;
    if (cut > 0) {
      truncatedBytes += cut;
      opts.logger.warn(
        { segment: seg.baseOffset, truncatedBytes: cut, size: seg.size },
        'truncated a torn or corrupt tail during recovery',
      );
      // Offsets after a corrupt batch cannot be trusted to follow it: drop later segments.
      for (const later of segments.slice(i + 1)) {
        truncatedBytes += later.size;
        later.deleteFiles();
      }
      segments = segments.slice(0, i + 1);
      break;
    }
  }
  if (segments.length === 0) {
    segments = [LogSegment.create(dir, opts.logStartOffset, cache, settings, opts.nowMs)];
  }
  const active = segments[segments.length - 1]!;
  const sizeBefore = active.size;
  active.ensureIndexes(config.indexIntervalBytes);
  // A clean shutdown vouches for the files as they were left, not for what happened to them since
  // (a copy cut short, a disk error): a tail that is not a whole, valid batch would put the next
  // append behind garbage, where no reader reaches it. Checking the active segment's last batch is
  // cheap; recovering it (a full scan of one segment) happens only when the check fails.
  let logEndOffset: number | null = null;
  if (!recover.has(active.baseOffset)) {
    // (A size already changed means the index check found the index bad and recovered the segment.)
    if (active.size === sizeBefore) {
      logEndOffset = active.nextOffsetIfTailIntact();
      if (logEndOffset === null) active.recover(config.indexIntervalBytes);
    }
    const cut = sizeBefore - active.size;
    if (cut > 0) {
      truncatedBytes += cut;
      opts.logger.warn(
        { segment: active.baseOffset, truncatedBytes: cut, size: active.size },
        'the active segment did not end on a whole, valid batch after a clean shutdown; truncated it to the last valid batch',
      );
    }
  }
  const end = logEndOffset ?? active.readNextOffset();
  // Entries for markers past the end (an index written before its batch, which then was lost).
  if (txnIndexRebuildFrom === null) active.txnIndex.truncateTo(end);
  return { segments, logEndOffset: end, truncatedBytes, txnIndexRebuildFrom };
}
