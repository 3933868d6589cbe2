import { TransactionLogKey } from '../../../protocol/generated/records/transaction-coordinator/transaction-log-key.js';
import { TransactionLogValue } from '../../../protocol/generated/records/transaction-coordinator/transaction-log-value.js';
import { ProtocolError } from '../../../protocol/primitives/protocol-error.js';
import { decodeVersionPrefixed, encodeVersionPrefixed } from '../../../protocol/versioned-data.js';
import {
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  sortedPartitions,
  type TransactionMetadata,
  type TransactionPartitions,
} from './transaction-metadata.js';
import { TransactionState, transactionStateFromId } from './transaction-state.js';

// The records of __transaction_state, in the generated codecs of Kafka's transaction-coordinator
// specs (kafka.coordinator.transaction.TransactionLog): key TransactionLogKey v0 (the
// transactional id), value TransactionLogValue, a null value being the tombstone of an expired id.
// Kafka 3.x writes value version 0 until transaction.version 1 is enabled; both are read.

const KEY_VERSION = 0;
const VALUE_VERSION = 0;

/** One __transaction_state record, decoded; `value: null` is a tombstone. */
export interface TransactionRecord {
  readonly transactionalId: string;
  readonly value: TransactionLogValue | null;
}

export function encodeTransactionRecord(r: TransactionRecord): { key: Buffer; value: Buffer | null } {
  return {
    key: encodeVersionPrefixed(TransactionLogKey, KEY_VERSION, { transactionalId: r.transactionalId }),
    value: r.value === null ? null : encodeVersionPrefixed(TransactionLogValue, VALUE_VERSION, r.value),
  };
}

/** Throws ProtocolError for a key or value version Kafka does not define, or bytes that do not decode. */
export function decodeTransactionRecord(key: Buffer, value: Buffer | null): TransactionRecord {
  const transactionalId = decodeVersionPrefixed(TransactionLogKey, key).body.transactionalId;
  return {
    transactionalId,
    value: value === null ? null : decodeVersionPrefixed(TransactionLogValue, value).body,
  };
}

/**
 * The record of a transactional id's metadata (TransactionLog.valueToBytes): an Empty transaction
 * carries a null partition list, the others their partitions grouped by topic.
 */
export function transactionRecordOf(m: TransactionMetadata): TransactionRecord {
  return {
    transactionalId: m.transactionalId,
    value: {
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      transactionTimeoutMs: m.txnTimeoutMs,
      transactionStatus: m.state,
      transactionPartitions:
        m.state === TransactionState.Empty
          ? null
          : sortedPartitions(m.partitions).map((t) => ({ topic: t.topic, partitionIds: t.partitions })),
      transactionLastUpdateTimestampMs: BigInt(m.txnLastUpdateTimestamp),
      transactionStartTimestampMs: BigInt(m.txnStartTimestamp),
    },
  };
}

/**
 * The metadata a record restores (TransactionLog.readTxnRecordValue). The previous producer id
 * and epoch are not in the record, as in Kafka: a KIP-360 retry across a coordinator restart
 * finds them unknown.
 */
export function metadataOfRecord(transactionalId: string, v: TransactionLogValue): TransactionMetadata {
  const state = transactionStateFromId(v.transactionStatus);
  if (state === undefined) {
    throw new ProtocolError(
      'INVALID_FIELD',
      `unknown transaction status ${v.transactionStatus} for transactional id ${transactionalId}`,
      0,
    );
  }
  const partitions: TransactionPartitions = new Map();
  for (const t of v.transactionPartitions ?? []) {
    const set = partitions.get(t.topic) ?? new Set<number>();
    for (const p of t.partitionIds) set.add(p);
    partitions.set(t.topic, set);
  }
  return {
    transactionalId,
    producerId: v.producerId,
    lastProducerId: NO_PRODUCER_ID,
    producerEpoch: v.producerEpoch,
    lastProducerEpoch: NO_PRODUCER_EPOCH,
    txnTimeoutMs: v.transactionTimeoutMs,
    state,
    partitions,
    txnStartTimestamp: Number(v.transactionStartTimestampMs),
    txnLastUpdateTimestamp: Number(v.transactionLastUpdateTimestampMs),
  };
}
