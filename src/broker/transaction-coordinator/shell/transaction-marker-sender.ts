import type { TxnMarker } from '../core/transaction-effects.js';

/**
 * Delivers a transaction's markers to the leaders of its partitions and reports, per partition,
 * the error code of the attempt. On a single node every leader is this broker
 * (`LocalTransactionMarkerSender`); a cluster will send WriteTxnMarkers to the other brokers
 * behind the same interface (Kafka's TransactionMarkerChannelManager).
 */
export interface TransactionMarkerSender {
  send(marker: TxnMarker): Promise<{ topic: string; partition: number; errorCode: number }[]>;
}
