import type { PartitionLog } from '../../storage/partition-log.js';

/**
 * ListOffsets v0's answer for the latest offset when the client asks for more than one: the log
 * end offset, then the start offset of each segment, newest first (Kafka's
 * UnifiedLog.legacyFetchOffsetsBefore with LATEST_TIMESTAMP). v0 clients read the last of the list
 * as the earliest offset: kafka-php asks for up to 100,000 offsets and resets to the last one.
 * A consumer sees nothing past the high watermark, so for it the list starts there
 * (Partition.legacyFetchOffsetsForTimestamp).
 */
export function legacyLatestOffsets(
  log: PartitionLog,
  maxNumOffsets: number,
  fromConsumer: boolean,
): bigint[] {
  const offsets: number[] = [];
  if (log.activeSegment.size > 0) offsets.push(log.logEndOffset);
  for (let i = log.segments.length - 1; i >= 0 && offsets.length < maxNumOffsets; i--) {
    offsets.push(Math.max(log.segments[i]!.baseOffset, log.logStartOffset));
  }
  const listed = offsets.slice(0, maxNumOffsets);
  const hw = log.highWatermark;
  if (fromConsumer && listed.length > 0 && listed[0]! > hw) {
    return [hw, ...listed.filter((o) => o <= hw)].map(BigInt);
  }
  return listed.map(BigInt);
}
