import type { TxnMarker } from '../core/transaction-effects.js';
import type { TransactionMarkerSender } from './transaction-marker-sender.js';
import { appendTxnMarkers, type TxnMarkerAppendDeps } from './txn-marker-append.js';

/** Markers for partitions this broker leads, appended through the WriteTxnMarkers handler's own code path. */
export class LocalTransactionMarkerSender implements TransactionMarkerSender {
  constructor(private readonly deps: TxnMarkerAppendDeps) {}

  async send(marker: TxnMarker): Promise<{ topic: string; partition: number; errorCode: number }[]> {
    const results = await appendTxnMarkers(this.deps, {
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      coordinatorEpoch: marker.coordinatorEpoch,
      commit: marker.result === 'commit',
      topics: marker.partitions.map((t) => ({ name: t.topic, partitionIndexes: t.partitions })),
    });
    return results.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode })),
    );
  }
}
