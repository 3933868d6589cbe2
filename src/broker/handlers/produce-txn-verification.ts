import { ErrorCode } from '../../protocol/error-codes.js';
import {
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_BYTES,
  BatchOffsets,
} from '../../protocol/records/record-batch-header.js';
import type { BrokerServices } from '../broker-services.js';
import type { HostedPartition } from '../replica/hosted-partition.js';

/**
 * KIP-890 part 1, as Kafka 3.9 with `transaction.partition.verification.enable`: before the first
 * transactional batch of a transaction is appended to a partition, the leader asks the
 * transaction coordinator whether the partition was added to the transaction (AddPartitionsToTxn
 * verify-only; here the local coordinator, asked directly). Once the producer has an open
 * transaction in the partition there is nothing to verify. A partition not in the transaction is
 * INVALID_TXN_STATE, a fenced producer INVALID_PRODUCER_EPOCH, and a coordinator that cannot
 * answer now NOT_ENOUGH_REPLICAS, which produce clients retry (ReplicaManager.appendRecords).
 * Batches that are not transactional, or too short to read, are left to the append's checks.
 */
export function transactionVerificationError(
  s: BrokerServices,
  transactionalId: string,
  p: HostedPartition,
  records: Buffer,
): { code: number; message: string } | null {
  if (!s.config.get('transaction.partition.verification.enable')) return null;
  if (records.length < BATCH_HEADER_BYTES || records.readInt8(BatchOffsets.magic) < 2) return null;
  if ((records.readInt16BE(BatchOffsets.attributes) & ATTR_TRANSACTIONAL) === 0) return null;
  return verifyTxnPartition(
    s,
    transactionalId,
    p,
    records.readBigInt64BE(BatchOffsets.producerId),
    records.readInt16BE(BatchOffsets.producerEpoch),
  );
}

/**
 * The verification for one producer's write to a partition (a produced batch, or TxnOffsetCommit's
 * records in __consumer_offsets): null when it may go ahead, else the error to answer.
 */
export function verifyTxnPartition(
  s: BrokerServices,
  transactionalId: string,
  p: HostedPartition,
  producerId: bigint,
  producerEpoch: number,
): { code: number; message: string } | null {
  const entry = p.log.producerState.entry(producerId);
  if (entry && entry.producerEpoch === producerEpoch && entry.currentTxnFirstOffset >= 0) return null;
  const r = s.transactions.verifyPartitionsInTxn({
    transactionalId,
    producerId,
    producerEpoch,
    partitions: new Map([[p.topic, new Set([p.partition])]]),
  });
  const code = r.partitionErrors.get(p.topic)?.get(p.partition) ?? r.errorCode;
  switch (code) {
    case ErrorCode.NONE:
      return null;
    case ErrorCode.TRANSACTION_ABORTABLE:
      return { code: ErrorCode.INVALID_TXN_STATE, message: 'Partition was not added to the transaction' };
    case ErrorCode.PRODUCER_FENCED:
      return { code: ErrorCode.INVALID_PRODUCER_EPOCH, message: 'The producer was fenced' };
    case ErrorCode.CONCURRENT_TRANSACTIONS:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
      return {
        code: ErrorCode.NOT_ENOUGH_REPLICAS,
        message: `Unable to verify the partition has been added to the transaction. Underlying error code: ${code}`,
      };
    default:
      return { code, message: 'Transaction verification failed' };
  }
}
