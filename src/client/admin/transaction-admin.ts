import { CoordinatorType } from '../../protocol/coordinator-type.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { checkErrorCode, KafkaError } from '../client-error.js';
import { groupBy } from '../collections.js';
import { Apis } from '../network/apis.js';
import { type Cluster, isStaleMetadataError } from '../network/cluster.js';
import { findCoordinator } from '../network/coordinator.js';
import { withRetry } from '../network/retry.js';

/** One transactional id as a coordinator lists it (Java's TransactionListing). */
export interface TransactionListing {
  transactionalId: string;
  producerId: bigint;
  /** Kafka's state names: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, PrepareEpochFence, Dead. */
  state: string;
  /** The broker coordinating it. */
  coordinatorId: number;
}

/** A transactional id's state at its coordinator (Java's TransactionDescription). */
export interface TransactionDescription {
  transactionalId: string;
  coordinatorId: number;
  state: string;
  producerId: bigint;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** When the ongoing transaction started (ms since the epoch); null when none is open. */
  transactionStartTimeMs: bigint | null;
  topicPartitions: { topic: string; partition: number }[];
}

/** A producer a partition remembers (Java's ProducerState, KIP-664). */
export interface ProducerState {
  producerId: bigint;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: bigint;
  /** The epoch of the coordinator that wrote this producer's last marker; null for none. */
  coordinatorEpoch: number | null;
  /** First offset of the producer's open transaction on this partition; null when none. */
  currentTransactionStartOffset: bigint | null;
}

export interface PartitionProducers {
  topic: string;
  partition: number;
  activeProducers: ProducerState[];
}

/** What Admin.abortTransaction needs to write an abort marker (Java's AbortTransactionSpec). */
export interface AbortTransactionSpec {
  topic: string;
  partition: number;
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
}

export interface ListTransactionsOptions {
  signal?: AbortSignal;
  /** Only these states (Kafka's names). */
  stateFilters?: string[];
  producerIdFilters?: bigint[];
  /** Only transactions running longer than this (ListTransactions v1, KIP-994); -1 for all. */
  durationFilterMs?: number;
}

function retrying<T>(cluster: Cluster, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  return withRetry(fn, {
    retries: cluster.options.retries,
    backoff: cluster.options.backoff,
    signal,
    onRetry: async (err) => {
      if (isStaleMetadataError(err) || err.kafkaCode === null) await cluster.refreshMetadata([], signal);
    },
  });
}

/** ListTransactions on every broker, each listing the transactional ids it coordinates. */
export async function listTransactions(
  cluster: Cluster,
  options: ListTransactionsOptions = {},
): Promise<TransactionListing[]> {
  const { signal } = options;
  await cluster.refreshMetadata([], signal);
  const all = await Promise.all(
    [...cluster.brokers.keys()].map((node) =>
      retrying(
        cluster,
        async () => {
          const res = await cluster.request(
            node,
            Apis.ListTransactions,
            {
              stateFilters: options.stateFilters ?? [],
              producerIdFilters: options.producerIdFilters ?? [],
              durationFilter: BigInt(options.durationFilterMs ?? -1),
            },
            { signal },
          );
          checkErrorCode(res.errorCode, `ListTransactions on broker ${node}`);
          return res.transactionStates.map((t) => ({
            transactionalId: t.transactionalId,
            producerId: t.producerId,
            state: t.transactionState,
            coordinatorId: node,
          }));
        },
        signal,
      ),
    ),
  );
  return all.flat().sort((a, b) => a.transactionalId.localeCompare(b.transactionalId));
}

/** DescribeTransactions at each transactional id's coordinator (FindCoordinator(TRANSACTION)). */
export function describeTransactions(
  cluster: Cluster,
  transactionalIds: readonly string[],
  signal?: AbortSignal,
): Promise<TransactionDescription[]> {
  return Promise.all(
    transactionalIds.map((id) =>
      retrying(
        cluster,
        async () => {
          const node = await findCoordinator(cluster, id, CoordinatorType.TRANSACTION, signal);
          const res = await cluster.request(
            node,
            Apis.DescribeTransactions,
            { transactionalIds: [id] },
            { signal },
          );
          const t = res.transactionStates.find((s) => s.transactionalId === id);
          if (!t)
            throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `DescribeTransactions ${id}: no answer`);
          checkErrorCode(t.errorCode, `DescribeTransactions ${id}`);
          return {
            transactionalId: id,
            coordinatorId: node,
            state: t.transactionState,
            producerId: t.producerId,
            producerEpoch: t.producerEpoch,
            transactionTimeoutMs: t.transactionTimeoutMs,
            transactionStartTimeMs: t.transactionStartTimeMs < 0n ? null : t.transactionStartTimeMs,
            topicPartitions: t.topics.flatMap((tp) =>
              tp.partitions.map((partition) => ({ topic: tp.topic, partition })),
            ),
          };
        },
        signal,
      ),
    ),
  );
}

/**
 * DescribeProducers (KIP-664) for partitions, at their leaders or at `brokerId` (to look at one
 * replica): the producers each partition remembers, with their open transaction's first offset.
 */
export async function describeProducers(
  cluster: Cluster,
  partitions: readonly { topic: string; partition: number }[],
  options: { brokerId?: number; signal?: AbortSignal } = {},
): Promise<PartitionProducers[]> {
  const { signal } = options;
  return retrying(
    cluster,
    async () => {
      await cluster.topicsMetadata([...new Set(partitions.map((p) => p.topic))], signal);
      const byNode = groupBy(partitions, (p) => options.brokerId ?? cluster.leaderFor(p.topic, p.partition));
      const results = await Promise.all(
        [...byNode].map(async ([node, ps]) => {
          if (node < 0)
            throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `${ps[0]!.topic}-${ps[0]!.partition}`);
          const res = await cluster.request(
            node,
            Apis.DescribeProducers,
            {
              topics: [...groupBy(ps, (p) => p.topic)].map(([name, tps]) => ({
                name,
                partitionIndexes: tps.map((p) => p.partition),
              })),
            },
            { signal },
          );
          return res.topics.flatMap((t) =>
            t.partitions.map((p) => {
              checkErrorCode(p.errorCode, `${t.name}-${p.partitionIndex}`, p.errorMessage);
              return {
                topic: t.name,
                partition: p.partitionIndex,
                activeProducers: p.activeProducers.map((a) => ({
                  producerId: a.producerId,
                  producerEpoch: a.producerEpoch,
                  lastSequence: a.lastSequence,
                  lastTimestamp: a.lastTimestamp,
                  coordinatorEpoch: a.coordinatorEpoch < 0 ? null : a.coordinatorEpoch,
                  currentTransactionStartOffset:
                    a.currentTxnStartOffset < 0n ? null : a.currentTxnStartOffset,
                })),
              };
            }),
          );
        }),
      );
      return results.flat();
    },
    signal,
  );
}

/**
 * Aborts a hanging transaction on one partition (Java's Admin.abortTransaction, KIP-664): an
 * abort marker written by the partition's leader through WriteTxnMarkers, as the transaction
 * coordinator would, for a producer whose coordinator no longer knows the transaction. The
 * producer's id and epoch and the coordinator epoch come from describeProducers.
 */
export async function abortTransaction(
  cluster: Cluster,
  spec: AbortTransactionSpec,
  signal?: AbortSignal,
): Promise<void> {
  await retrying(
    cluster,
    async () => {
      await cluster.topicsMetadata([spec.topic], signal);
      const leader = cluster.leaderFor(spec.topic, spec.partition);
      if (leader < 0) throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `${spec.topic}-${spec.partition}`);
      const res = await cluster.request(
        leader,
        Apis.WriteTxnMarkers,
        {
          markers: [
            {
              producerId: spec.producerId,
              producerEpoch: spec.producerEpoch,
              transactionResult: false,
              topics: [{ name: spec.topic, partitionIndexes: [spec.partition] }],
              coordinatorEpoch: spec.coordinatorEpoch,
            },
          ],
        },
        { signal },
      );
      for (const m of res.markers)
        for (const t of m.topics)
          for (const p of t.partitions) checkErrorCode(p.errorCode, `abort ${t.name}-${p.partitionIndex}`);
    },
    signal,
  );
}

/**
 * Fences the producers of transactional ids (Java's Admin.fenceProducers, KIP-618): InitProducerId
 * at each id's coordinator bumps its epoch, so the current producer is fenced and its open
 * transaction aborted. Returns each id's new producer id and epoch.
 */
export function fenceProducers(
  cluster: Cluster,
  transactionalIds: readonly string[],
  signal?: AbortSignal,
): Promise<{ transactionalId: string; producerId: bigint; producerEpoch: number }[]> {
  return Promise.all(
    transactionalIds.map((id) =>
      retrying(
        cluster,
        async () => {
          const node = await findCoordinator(cluster, id, CoordinatorType.TRANSACTION, signal);
          const res = await cluster.request(
            node,
            Apis.InitProducerId,
            // A timeout of 1 ms as Kafka's FenceProducersHandler: this id is never written with.
            { transactionalId: id, transactionTimeoutMs: 1, producerId: -1n, producerEpoch: -1 },
            { signal },
          );
          checkErrorCode(res.errorCode, `fence ${id}`);
          return { transactionalId: id, producerId: res.producerId, producerEpoch: res.producerEpoch };
        },
        signal,
      ),
    ),
  );
}
