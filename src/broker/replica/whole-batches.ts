/** A record batch's header up to and including its length field: baseOffset (8) and batchLength (4). */
const LOG_OVERHEAD = 12;

/**
 * The leading whole record batches of fetched bytes. A fetch response may end with a partial batch
 * (Kafka's leaders cut at the size limit; a follower drops the tail and fetches it again), and
 * storage appends whole batches only. Returns a view, never a copy.
 */
export function wholeBatches(records: Buffer): Buffer {
  let end = 0;
  while (end + LOG_OVERHEAD <= records.length) {
    const size = LOG_OVERHEAD + records.readInt32BE(end + 8);
    if (size <= LOG_OVERHEAD || end + size > records.length) break;
    end += size;
  }
  return end === records.length ? records : records.subarray(0, end);
}
