import { splitBatches } from '../protocol/records/record-batch-header.js';
import type { PartitionLog } from './partition-log.js';

const READ_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Every whole batch of a log from `fromOffset` to its end, read in chunks: what state machines built
 * on a log (the metadata image, the group coordinator) replay when they start or take over.
 */
export function* scanBatches(log: PartitionLog, fromOffset = log.logStartOffset): Generator<Buffer> {
  let offset = Math.max(fromOffset, log.logStartOffset);
  while (offset < log.logEndOffset) {
    const read = log.read({
      fetchOffset: offset,
      maxBytes: READ_CHUNK_BYTES,
      minOneMessage: true,
      maxOffset: null,
    });
    if (read.slices.length === 0) return;
    const bytes =
      read.slices.length === 1
        ? read.slices[0]!.readSync()
        : Buffer.concat(read.slices.map((s) => s.readSync()));
    const { batches } = splitBatches(bytes);
    if (batches.length === 0) return;
    for (const b of batches) {
      const next = Number(b.readBigInt64BE(0)) + b.readInt32BE(23) + 1;
      if (next <= offset) continue;
      yield b;
      offset = next;
    }
  }
}
