import type { TransactionState } from './transaction-state.js';

/** RecordBatch.NO_PRODUCER_ID and NO_PRODUCER_EPOCH. */
export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
/** Short.MaxValue: epochs stop one below it, so the coordinator can always fence (TransactionMetadata.isEpochExhausted). */
export const MAX_PRODUCER_EPOCH = 32767;

export function isEpochExhausted(epoch: number): boolean {
  return epoch >= MAX_PRODUCER_EPOCH - 1;
}

/** The partitions of a transaction, by topic. */
export type TransactionPartitions = Map<string, Set<number>>;

export function partitionCount(p: TransactionPartitions): number {
  let n = 0;
  for (const s of p.values()) n += s.size;
  return n;
}

export function containsAll(p: TransactionPartitions, added: TransactionPartitions): boolean {
  for (const [topic, parts] of added) {
    const have = p.get(topic);
    if (!have) return false;
    for (const i of parts) if (!have.has(i)) return false;
  }
  return true;
}

export function addAll(p: TransactionPartitions, added: TransactionPartitions): void {
  for (const [topic, parts] of added) {
    let have = p.get(topic);
    if (!have) {
      have = new Set();
      p.set(topic, have);
    }
    for (const i of parts) have.add(i);
  }
}

/** Topics in name order, partitions ascending: a stable order for records and answers. */
export function sortedPartitions(p: TransactionPartitions): { topic: string; partitions: number[] }[] {
  return [...p.entries()]
    .filter(([, s]) => s.size > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topic, s]) => ({ topic, partitions: [...s].sort((a, b) => a - b) }));
}

/**
 * What the coordinator keeps per transactional id (Kafka's TransactionMetadata, transaction
 * version 0/1): the producer id and epoch it hands out, the previous ones for KIP-360 retries, the
 * state and the partitions of the transaction in progress. Timestamps are wall-clock milliseconds.
 */
export interface TransactionMetadata {
  readonly transactionalId: string;
  producerId: bigint;
  /** The producer id before the last rotation (an epoch ran out), for a retried InitProducerId. */
  lastProducerId: bigint;
  producerEpoch: number;
  /** The epoch before the last bump by the producer itself (KIP-360), -1 after a fencing one. */
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  partitions: TransactionPartitions;
  /** When the transaction in progress began (-1 when none has). */
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
}
