import { CoordinatorType } from '../../protocol/coordinator-type.js';
import { ErrorCode, errorInfo } from '../../protocol/error-codes.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import { backoffMs, sleep } from '../backoff.js';
import { ClientError, KafkaError } from '../client-error.js';
import { groupBy } from '../collections.js';
import { Apis, type ClientApi } from '../network/apis.js';
import type { Cluster } from '../network/cluster.js';
import { findCoordinator } from '../network/coordinator.js';
import type { IdempotentState } from './idempotence.js';
import { fencedError, TransactionState } from './transaction-state.js';

/** The consumer group an offset commit in a transaction belongs to (Java's ConsumerGroupMetadata, KIP-447). */
export interface ConsumerGroupMetadata {
  groupId: string;
  /** -1 for a consumer outside a group's generation (assign(), or before the first join). */
  generationId?: number;
  memberId?: string;
  groupInstanceId?: string | null;
}

/** An offset to commit with the transaction: the next offset the group is to read. */
export interface TransactionOffset {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch?: number;
  metadata?: string | null;
}

export interface TransactionManagerOptions {
  transactionalId: string;
  transactionTimeoutMs: number;
  /** How long a transactional call may wait for the coordinator before failing (max.block.ms). */
  maxBlockMs: number;
}

/** Backoff for AddPartitionsToTxn after CONCURRENT_TRANSACTIONS before anything was added (Kafka's KAFKA-5482 work-around). */
const ADD_PARTITIONS_RETRY_BACKOFF_MS = 20;

/** What a coordinator answer means for the call: done, asked again (maybe of a new coordinator), or failed. */
type Outcome<T> = { done: T } | { retry: 'same' | 'refind'; backoffMs?: number } | { fail: Error };

/** Errors after which the transaction coordinator has to be looked up again. */
function coordinatorMoved(code: number): boolean {
  return code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE;
}

/**
 * The common reading of a transaction coordinator's error code (InitProducerId, AddOffsetsToTxn,
 * EndTxn): done, look the coordinator up again, retry, fenced, or failed with `what` named.
 */
function coordinatorOutcome<T>(code: number, api: string, done: T, what: string): Outcome<T> {
  if (code === ErrorCode.NONE) return { done };
  if (coordinatorMoved(code)) return { retry: 'refind' };
  if (errorInfo(code).retriable) return { retry: 'same' };
  if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED)
    return { fail: fencedError(api) };
  return { fail: new KafkaError(code, what) };
}

/**
 * The transactional producer's requests to its transaction coordinator, found with
 * FindCoordinator(TRANSACTION), and to the consumer group's coordinator (TxnOffsetCommit), with
 * the error handling of Kafka's TransactionManager: NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE
 * look the coordinator up again; CONCURRENT_TRANSACTIONS, COORDINATOR_LOAD_IN_PROGRESS and other
 * retriable errors are retried; INVALID_PRODUCER_EPOCH and PRODUCER_FENCED fence the producer
 * (fatal); the rest abort the transaction or are fatal as Kafka classifies them. Requests go one
 * at a time, in the order made, as Kafka's queue of transactional requests sends them.
 */
export class TransactionManager {
  readonly state: TransactionState;
  private coordinator = -1;
  private chain: Promise<unknown> = Promise.resolve();
  /** AddOffsetsToTxn or AddPartitionsToTxn succeeded: EndTxn has something to end. */
  private transactionStarted = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly idempotence: IdempotentState,
    private readonly options: TransactionManagerOptions,
  ) {
    this.state = new TransactionState(options.transactionalId);
  }

  get transactionalId(): string {
    return this.options.transactionalId;
  }

  /** Runs `fn` after the transactional requests made before it. */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }

  /**
   * Sends a request to a coordinator until `handle` says it is done or failed, looking the
   * coordinator up again when told, with backoff, for at most max.block.ms.
   */
  private async coordinatorCall<Req, Res, T>(
    api: ClientApi<Req, Res>,
    coordinator: { type: number; key: string },
    body: MessageInput<Req> | ((version: number) => MessageInput<Req>),
    handle: (res: Res) => Outcome<T>,
  ): Promise<T> {
    const deadline = performance.now() + this.options.maxBlockMs;
    const isTxn = coordinator.type === CoordinatorType.TRANSACTION;
    let node = isTxn ? this.coordinator : -1;
    for (let attempt = 0; ; attempt++) {
      let outcome: Outcome<T>;
      try {
        if (node < 0) {
          node = await findCoordinator(this.cluster, coordinator.key, coordinator.type);
          if (isTxn) this.coordinator = node;
        }
        outcome = handle(await this.cluster.request(node, api, body));
      } catch (err) {
        if (!(err instanceof ClientError) || !err.retriable) throw err;
        // Connection trouble or a failed lookup: the coordinator may have moved.
        outcome = { retry: 'refind' };
      }
      if ('done' in outcome) return outcome.done;
      if ('fail' in outcome) throw outcome.fail;
      if (outcome.retry === 'refind') {
        node = -1;
        if (isTxn) this.coordinator = -1;
      }
      if (performance.now() >= deadline) {
        throw new ClientError(
          'REQUEST_TIMEOUT',
          `Timeout expired after ${this.options.maxBlockMs} ms while awaiting ${api.name}`,
        );
      }
      await sleep(outcome.backoffMs ?? backoffMs(attempt, this.cluster.options.backoff));
    }
  }

  private txnCoordinator(): { type: number; key: string } {
    return { type: CoordinatorType.TRANSACTION, key: this.options.transactionalId };
  }

  /**
   * InitProducerId with the transactional id: a producer id and a new epoch, which fences any
   * older producer with the same id and makes the coordinator finish its open transaction. With
   * the current id and epoch it bumps the epoch instead (KIP-360), after an aborted transaction
   * whose batches left sequence gaps.
   */
  private async initProducerId(bump: boolean): Promise<void> {
    const s = this.state;
    const res = await this.coordinatorCall(
      Apis.InitProducerId,
      this.txnCoordinator(),
      {
        transactionalId: this.options.transactionalId,
        transactionTimeoutMs: this.options.transactionTimeoutMs,
        producerId: bump ? this.idempotence.producerId : -1n,
        producerEpoch: bump ? this.idempotence.epoch : -1,
      },
      (r): Outcome<{ producerId: bigint; producerEpoch: number }> =>
        coordinatorOutcome(r.errorCode, 'InitProducerId', r, 'InitProducerId'),
    ).catch((err: unknown) => {
      const e = err as Error;
      // Authorization and TRANSACTION_ABORTABLE let the application try again; the rest is fatal.
      const code = e instanceof ClientError ? e.kafkaCode : null;
      if (
        code === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED ||
        code === ErrorCode.CLUSTER_AUTHORIZATION_FAILED ||
        code === ErrorCode.TRANSACTION_ABORTABLE
      )
        s.abortableError(e);
      else if (!(e instanceof ClientError && e.code === 'REQUEST_TIMEOUT')) s.fatalError(e);
      throw e;
    });
    this.idempotence.setProducerId(res.producerId, res.producerEpoch);
    s.epochBumpRequired = false;
    s.transitionTo('READY');
    this.cluster.log.info(
      {
        transactionalId: this.options.transactionalId,
        producerId: res.producerId.toString(),
        epoch: res.producerEpoch,
      },
      bump ? 'transactional producer epoch bumped' : 'transactional producer id',
    );
  }

  /** Producer.initTransactions: once, before the first transaction. */
  initTransactions(): Promise<void> {
    const s = this.state;
    s.failIfInError();
    // A call that timed out before may be made again (Kafka keeps the pending result).
    if (s.state !== 'INITIALIZING') s.transitionTo('INITIALIZING');
    return this.enqueue(() => this.initProducerId(false));
  }

  beginTransaction(): void {
    const s = this.state;
    s.failIfInError();
    s.transitionTo('IN_TRANSACTION');
  }

  /**
   * AddPartitionsToTxn for the partitions written since the last one, all in one request (the
   * Sender calls it before their first batch goes out). Per-partition errors as Kafka's
   * AddPartitionsToTxnHandler: a retriable one sends the request again, fencing is fatal,
   * others abort the transaction.
   */
  addPartitions(): Promise<void> {
    const s = this.state;
    const partitions = s.takeNewPartitions();
    if (partitions.length === 0) return Promise.resolve();
    return this.enqueue(async () => {
      const addedBefore = s.partitionCount > 0;
      try {
        await this.coordinatorCall(
          Apis.AddPartitionsToTxn,
          this.txnCoordinator(),
          {
            v3AndBelowTransactionalId: this.options.transactionalId,
            v3AndBelowProducerId: this.idempotence.producerId,
            v3AndBelowProducerEpoch: this.idempotence.epoch,
            v3AndBelowTopics: [...groupBy(partitions, (p) => p.topic)].map(([name, ps]) => ({
              name,
              partitions: ps.map((p) => p.partition),
            })),
          },
          (r): Outcome<void> => {
            const failed: string[] = [];
            for (const t of r.resultsByTopicV3AndBelow) {
              for (const p of t.resultsByPartition) {
                const code = p.partitionErrorCode;
                if (code === ErrorCode.NONE) continue;
                if (coordinatorMoved(code)) return { retry: 'refind' };
                if (code === ErrorCode.CONCURRENT_TRANSACTIONS)
                  return addedBefore
                    ? { retry: 'same' }
                    : { retry: 'same', backoffMs: ADD_PARTITIONS_RETRY_BACKOFF_MS };
                if (errorInfo(code).retriable) return { retry: 'same' };
                if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED)
                  return { fail: fencedError('AddPartitionsToTxn') };
                if (code !== ErrorCode.OPERATION_NOT_ATTEMPTED)
                  failed.push(`${t.name}-${p.partitionIndex}: ${errorInfo(code).name}`);
                const fatal =
                  code === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED ||
                  code === ErrorCode.INVALID_TXN_STATE;
                if (fatal) return { fail: new KafkaError(code, `${t.name}-${p.partitionIndex}`) };
                if (code === ErrorCode.UNKNOWN_PRODUCER_ID || code === ErrorCode.INVALID_PRODUCER_ID_MAPPING)
                  return { fail: new KafkaError(code, `AddPartitionsToTxn ${t.name}-${p.partitionIndex}`) };
              }
            }
            if (failed.length > 0) {
              return {
                fail: new ClientError(
                  'TRANSACTION_FAILED',
                  `Could not add partitions to transaction due to errors: ${failed.join(', ')}`,
                ),
              };
            }
            return { done: undefined };
          },
        );
        s.partitionsAdded(partitions, true);
        this.transactionStarted = true;
      } catch (err) {
        s.partitionsAdded(partitions, false);
        this.coordinatorFailure(err as Error, true);
      }
    });
  }

  /**
   * How a failed transactional request leaves the state: fencing and authorization are fatal;
   * UNKNOWN_PRODUCER_ID and INVALID_PRODUCER_ID_MAPPING abort with an epoch bump; others abort.
   */
  private coordinatorFailure(err: Error, abortable: boolean): void {
    const s = this.state;
    const code = err instanceof ClientError ? err.kafkaCode : null;
    if (
      code === ErrorCode.PRODUCER_FENCED ||
      code === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED ||
      code === ErrorCode.INVALID_TXN_STATE ||
      code === ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT ||
      !abortable
    ) {
      s.fatalError(err);
      return;
    }
    const bump = code === ErrorCode.UNKNOWN_PRODUCER_ID || code === ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (s.state === 'IN_TRANSACTION' || s.state === 'COMMITTING_TRANSACTION' || s.hasAbortableError)
      s.abortableError(err, bump);
    else if (bump) s.epochBumpRequired = true;
  }

  /**
   * Producer.sendOffsetsToTransaction: AddOffsetsToTxn (the group's __consumer_offsets partition
   * joins the transaction), then TxnOffsetCommit to the group's coordinator with the member's
   * generation (KIP-447), so a zombie of an older generation is refused.
   */
  sendOffsets(offsets: readonly TransactionOffset[], group: ConsumerGroupMetadata): Promise<void> {
    const s = this.state;
    s.failIfInError();
    if (s.state !== 'IN_TRANSACTION') {
      throw new ClientError(
        'ILLEGAL_STATE',
        `Cannot send offsets if a transaction is not in progress (currentState= ${s.state})`,
      );
    }
    const groupId = group.groupId;
    return this.enqueue(async () => {
      try {
        await this.coordinatorCall(
          Apis.AddOffsetsToTxn,
          this.txnCoordinator(),
          {
            transactionalId: this.options.transactionalId,
            producerId: this.idempotence.producerId,
            producerEpoch: this.idempotence.epoch,
            groupId,
          },
          (r): Outcome<void> =>
            coordinatorOutcome(r.errorCode, 'AddOffsetsToTxn', undefined, `AddOffsetsToTxn ${groupId}`),
        );
        this.transactionStarted = true;
        await this.txnOffsetCommit(offsets, group);
      } catch (err) {
        this.coordinatorFailure(err as Error, isAbortableOffsetError(err));
        throw err;
      }
    });
  }

  private async txnOffsetCommit(
    offsets: readonly TransactionOffset[],
    group: ConsumerGroupMetadata,
  ): Promise<void> {
    let pending = [...offsets];
    await this.coordinatorCall(
      Apis.TxnOffsetCommit,
      { type: CoordinatorType.GROUP, key: group.groupId },
      () => ({
        transactionalId: this.options.transactionalId,
        groupId: group.groupId,
        producerId: this.idempotence.producerId,
        producerEpoch: this.idempotence.epoch,
        generationId: group.generationId ?? -1,
        memberId: group.memberId ?? '',
        groupInstanceId: group.groupInstanceId ?? null,
        topics: [...groupBy(pending, (o) => o.topic)].map(([name, ps]) => ({
          name,
          partitions: ps.map((p) => ({
            partitionIndex: p.partition,
            committedOffset: p.offset,
            committedLeaderEpoch: p.leaderEpoch ?? -1,
            committedMetadata: p.metadata ?? '',
          })),
        })),
      }),
      (r): Outcome<void> => {
        const retry = new Set<string>();
        let refind = false;
        for (const t of r.topics) {
          for (const p of t.partitions) {
            const code = p.errorCode;
            if (code === ErrorCode.NONE) continue;
            if (coordinatorMoved(code) || code === ErrorCode.REQUEST_TIMED_OUT) refind = true;
            else if (!errorInfo(code).retriable) {
              if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED)
                return { fail: fencedError('TxnOffsetCommit') };
              if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION) {
                return {
                  fail: new KafkaError(
                    code,
                    `TxnOffsetCommit ${group.groupId}`,
                    'Transaction offset Commit failed due to consumer group metadata mismatch',
                  ),
                };
              }
              return { fail: new KafkaError(code, `TxnOffsetCommit ${t.name}-${p.partitionIndex}`) };
            }
            retry.add(`${t.name}\u0000${p.partitionIndex}`);
          }
        }
        // Only the partitions that failed with a retriable error are sent again.
        pending = pending.filter((o) => retry.has(`${o.topic}\u0000${o.partition}`));
        if (pending.length === 0) return { done: undefined };
        return { retry: refind ? 'refind' : 'same' };
      },
    );
  }

  /**
   * EndTxn(commit or abort), once the transaction's batches are done; skipped when nothing was
   * added to the transaction (the coordinator has nothing to end). Then an epoch bump with
   * InitProducerId if a batch's failure left sequence gaps.
   */
  endTransaction(committed: boolean): Promise<void> {
    const s = this.state;
    return this.enqueue(async () => {
      if (this.transactionStarted) {
        try {
          await this.coordinatorCall(
            Apis.EndTxn,
            this.txnCoordinator(),
            {
              transactionalId: this.options.transactionalId,
              producerId: this.idempotence.producerId,
              producerEpoch: this.idempotence.epoch,
              committed,
            },
            (r): Outcome<void> =>
              coordinatorOutcome(
                r.errorCode,
                'EndTxn',
                undefined,
                `EndTxn(${committed ? 'commit' : 'abort'})`,
              ),
          );
        } catch (err) {
          if (!(err instanceof ClientError && err.code === 'REQUEST_TIMEOUT'))
            this.coordinatorFailure(err as Error, committed);
          throw err;
        }
      }
      this.transactionStarted = false;
      s.completeTransaction();
      if (s.state === 'INITIALIZING') await this.initProducerId(true);
    });
  }
}

/** TxnOffsetCommit and AddOffsetsToTxn errors that abort the transaction rather than end the producer. */
function isAbortableOffsetError(err: unknown): boolean {
  if (!(err instanceof ClientError) || err.kafkaCode === null) return err instanceof ClientError;
  switch (err.kafkaCode) {
    case ErrorCode.GROUP_AUTHORIZATION_FAILED:
    case ErrorCode.FENCED_INSTANCE_ID:
    case ErrorCode.TRANSACTION_ABORTABLE:
    case ErrorCode.UNKNOWN_MEMBER_ID:
    case ErrorCode.ILLEGAL_GENERATION:
    case ErrorCode.UNKNOWN_PRODUCER_ID:
    case ErrorCode.INVALID_PRODUCER_ID_MAPPING:
      return true;
    default:
      return false;
  }
}
