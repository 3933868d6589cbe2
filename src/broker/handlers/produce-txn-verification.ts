import { ErrorCode } from '../../protocol/error-codes.js';
import { ApiKey } from '../../protocol/generated/api-registry.js';
import {
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_BYTES,
  BatchOffsets,
} from '../../protocol/records/record-batch-header.js';
import type { BrokerServices } from '../broker-services.js';
import { interBrokerAddress } from '../cluster/controller-channel.js';
import { InterBrokerRequestError } from '../cluster/inter-broker-client.js';
import { TRANSACTION_STATE_TOPIC } from '../transaction-coordinator/shell/transaction-state-topic.js';

/** Why a transactional write may not go ahead: the error code and message to answer. */
export interface TxnVerificationFailure {
  readonly code: number;
  readonly message: string;
}

/** Null when the write may go ahead; a promise when the coordinator is another broker. */
export type TxnVerification = TxnVerificationFailure | null | Promise<TxnVerificationFailure | null>;

/** How long a leader waits for the coordinator's verification before the producer retries. */
const VERIFY_TIMEOUT_MS = 5_000;

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
): TxnVerification {
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
): TxnVerification {
  const entry = p.log.producerState.entry(producerId);
  if (entry && entry.producerEpoch === producerEpoch && entry.currentTxnFirstOffset >= 0) return null;
  const coordinator = remoteCoordinator(s, transactionalId);
  if (coordinator) {
    return verifyRemotely(s, coordinator, transactionalId, p, producerId, producerEpoch).then(failureFor);
  }
  const r = s.transactions.verifyPartitionsInTxn({
    transactionalId,
    producerId,
    producerEpoch,
    partitions: new Map([[p.topic, new Set([p.partition])]]),
  });
  return failureFor(r.partitionErrors.get(p.topic)?.get(p.partition) ?? r.errorCode);
}

/** In a cluster, the transaction coordinator's address when another broker leads its partition. */
function remoteCoordinator(
  s: BrokerServices,
  transactionalId: string,
): { host: string; port: number } | null {
  if (!s.cluster) return null;
  const image = s.metadata.image;
  const partition = s.transactions.core.partitionFor(transactionalId);
  const leader = image.partition(TRANSACTION_STATE_TOPIC, partition)?.leader ?? -1;
  if (leader < 0 || leader === s.nodeId) return null;
  return interBrokerAddress(image, leader, s.config.listenerConfig.interBrokerListenerName);
}

/** AddPartitionsToTxn v4 with verifyOnly (KIP-890) to the coordinator, as Kafka's AddPartitionsToTxnManager sends it. */
async function verifyRemotely(
  s: BrokerServices,
  coordinator: { host: string; port: number },
  transactionalId: string,
  p: HostedPartition,
  producerId: bigint,
  producerEpoch: number,
): Promise<number> {
  const client = s.cluster?.interBroker;
  if (!client) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  try {
    const res = await client.send(
      coordinator,
      ApiKey.AddPartitionsToTxn,
      4,
      {
        transactions: [
          {
            transactionalId,
            producerId,
            producerEpoch,
            verifyOnly: true,
            topics: [{ name: p.topic, partitions: [p.partition] }],
          },
        ],
      },
      VERIFY_TIMEOUT_MS,
    );
    if (res.errorCode !== ErrorCode.NONE) return res.errorCode;
    const partition = res.resultsByTransaction[0]?.topicResults
      .find((t) => t.name === p.topic)
      ?.resultsByPartition.find((r) => r.partitionIndex === p.partition);
    return partition?.partitionErrorCode ?? ErrorCode.COORDINATOR_NOT_AVAILABLE;
  } catch (err) {
    if (!(err instanceof InterBrokerRequestError)) throw err;
    s.logger.warn(
      { transactionalId, err: err.message },
      'transaction verification could not reach the coordinator',
    );
    return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
}

function failureFor(code: number): TxnVerificationFailure | null {
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
