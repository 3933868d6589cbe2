import type { FetchResponsePartitionData } from '../../protocol/generated/messages/fetch-response.js';
import { ControlRecordType, decodeControlRecordKey } from '../../protocol/records/control-record.js';
import type { OpenRecordBatch } from '../../protocol/records/record-batch.js';

interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/**
 * Which batches of one read_committed fetch response belong to aborted transactions, decided as
 * Kafka's CompletedFetch does: the response lists each aborted transaction in its range by
 * producer id and first offset; walking the batches in offset order, a transaction becomes
 * current once a batch reaches its first offset, its producer's transactional batches are
 * skipped from then on, and its ABORT marker ends it. The same producer may have aborted several
 * transactions in one range, each taking effect at its own first offset.
 */
export class AbortedTransactions {
  /** Aborted transactions not yet reached, by first offset. */
  private readonly upcoming: AbortedTransaction[];
  private next = 0;
  /** Producers whose current transaction is an aborted one. */
  private readonly abortedProducers = new Set<bigint>();

  constructor(list: FetchResponsePartitionData['abortedTransactions']) {
    this.upcoming = (list ?? [])
      .map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }))
      .sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /**
   * Whether `batch` is to be left out: a transactional batch of an aborted transaction, or a
   * control batch (markers are never handed to the application). An ABORT marker is also where its
   * producer's aborted transaction ends.
   */
  skip(batch: OpenRecordBatch): boolean {
    if (batch.producerId >= 0n) {
      const last = batch.baseOffset + BigInt(batch.lastOffsetDelta);
      while (this.next < this.upcoming.length && this.upcoming[this.next]!.firstOffset <= last) {
        this.abortedProducers.add(this.upcoming[this.next++]!.producerId);
      }
      if (isAbortMarker(batch)) this.abortedProducers.delete(batch.producerId);
      else if (batch.transactional && this.abortedProducers.has(batch.producerId)) return true;
    }
    return batch.control;
  }
}

/** A control batch whose first record is an ABORT marker (CompletedFetch.containsAbortMarker). */
function isAbortMarker(batch: OpenRecordBatch): boolean {
  if (!batch.control) return false;
  for (const record of batch.records()) {
    return decodeControlRecordKey(record.key).type === ControlRecordType.Abort;
  }
  return false;
}
