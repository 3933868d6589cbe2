/**
 * Kafka's transaction states (kafka.coordinator.transaction.TransactionState), with the ids the
 * TransactionLogValue's TransactionStatus field stores and the names DescribeTransactions and
 * ListTransactions report.
 */
export const TransactionState = {
  /** No transaction yet, or the producer was (re)initialized. */
  Empty: 0,
  /** Partitions or offsets were added; EndTxn or a timeout ends it. */
  Ongoing: 1,
  /** EndTxn(commit) is durable; markers are being written. */
  PrepareCommit: 2,
  /** EndTxn(abort), a fencing InitProducerId or a timeout is durable; markers are being written. */
  PrepareAbort: 3,
  /** Every marker of the commit is written. */
  CompleteCommit: 4,
  /** Every marker of the abort is written. */
  CompleteAbort: 5,
  /** The transactional id expired; its tombstone is being written. */
  Dead: 6,
  /** The epoch was bumped to fence a producer with an ongoing transaction (never written by Kafka 3.x either). */
  PrepareEpochFence: 7,
} as const;

export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState];

const NAMES: readonly string[] = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
];

export function transactionStateName(state: TransactionState): string {
  return NAMES[state]!;
}

/** The state of a name as the admin APIs spell it, or undefined. */
export function transactionStateFromName(name: string): TransactionState | undefined {
  const i = NAMES.indexOf(name);
  return i < 0 ? undefined : (i as TransactionState);
}

/** The state of a TransactionStatus byte, or undefined for an id Kafka does not define. */
export function transactionStateFromId(id: number): TransactionState | undefined {
  return id >= 0 && id < NAMES.length ? (id as TransactionState) : undefined;
}

/** Kafka's TransactionState.isExpirationAllowed: idle ids in these states expire (`transactional.id.expiration.ms`). */
export function isExpirationAllowed(state: TransactionState): boolean {
  return (
    state === TransactionState.Empty ||
    state === TransactionState.CompleteCommit ||
    state === TransactionState.CompleteAbort
  );
}
