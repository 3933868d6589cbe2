import { setTimeout as sleep } from 'node:timers/promises';
import type { StartedBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { AddOffsetsToTxnResponse } from '../../../src/protocol/generated/messages/add-offsets-to-txn-response.js';
import type { AddPartitionsToTxnResponse } from '../../../src/protocol/generated/messages/add-partitions-to-txn-response.js';
import type { CreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.js';
import type {
  DescribeTransactionsResponse,
  DescribeTransactionsResponseTransactionState,
} from '../../../src/protocol/generated/messages/describe-transactions-response.js';
import type { EndTxnResponse } from '../../../src/protocol/generated/messages/end-txn-response.js';
import type { FindCoordinatorResponse } from '../../../src/protocol/generated/messages/find-coordinator-response.js';
import type { InitProducerIdResponse } from '../../../src/protocol/generated/messages/init-producer-id-response.js';
import type { ListTransactionsResponse } from '../../../src/protocol/generated/messages/list-transactions-response.js';
import type { ProduceResponse } from '../../../src/protocol/generated/messages/produce-response.js';
import { decodeControlRecordKey, decodeEndTxnMarker } from '../../../src/protocol/records/control-record.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { scanBatches } from '../../../src/storage/log-scan.js';
import { request } from '../../helpers/request.js';

// Raw transaction requests for broker-level tests, at the versions today's Java client sends.

export async function createTopic(bootstrap: string, name: string, numPartitions = 1): Promise<void> {
  const r = await request<CreateTopicsResponse>(bootstrap, ApiKey.CreateTopics, 5, {
    topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  if (r.topics[0]!.errorCode !== ErrorCode.NONE)
    throw new Error(`topic ${name} not created: ${r.topics[0]!.errorCode}`);
}

export function findTxnCoordinator(bootstrap: string, transactionalId: string, version = 4) {
  return request<FindCoordinatorResponse>(bootstrap, ApiKey.FindCoordinator, version, {
    key: version < 4 ? transactionalId : '',
    keyType: 1,
    coordinatorKeys: version >= 4 ? [transactionalId] : [],
  });
}

export function initProducerId(
  bootstrap: string,
  transactionalId: string,
  opts: { timeoutMs?: number; producerId?: bigint; producerEpoch?: number; version?: number } = {},
) {
  return request<InitProducerIdResponse>(bootstrap, ApiKey.InitProducerId, opts.version ?? 4, {
    transactionalId,
    transactionTimeoutMs: opts.timeoutMs ?? 60_000,
    producerId: opts.producerId ?? -1n,
    producerEpoch: opts.producerEpoch ?? -1,
  });
}

/** InitProducerId, retried while the coordinator answers CONCURRENT_TRANSACTIONS (an abort completing), as clients do. */
export async function initProducerIdRetrying(bootstrap: string, transactionalId: string, timeoutMs = 60_000) {
  for (let i = 0; i < 100; i++) {
    const r = await initProducerId(bootstrap, transactionalId, { timeoutMs });
    if (r.errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS) return r;
    await sleep(20);
  }
  throw new Error('InitProducerId kept answering CONCURRENT_TRANSACTIONS');
}

export async function addPartitions(
  bootstrap: string,
  transactionalId: string,
  producerId: bigint,
  producerEpoch: number,
  topics: { name: string; partitions: number[] }[],
  version = 3,
): Promise<number[]> {
  const r = await request<AddPartitionsToTxnResponse>(bootstrap, ApiKey.AddPartitionsToTxn, version, {
    transactions: [],
    v3AndBelowTransactionalId: transactionalId,
    v3AndBelowProducerId: producerId,
    v3AndBelowProducerEpoch: producerEpoch,
    v3AndBelowTopics: topics,
  });
  return r.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode));
}

export async function addOffsets(
  bootstrap: string,
  transactionalId: string,
  producerId: bigint,
  producerEpoch: number,
  groupId: string,
): Promise<number> {
  const r = await request<AddOffsetsToTxnResponse>(bootstrap, ApiKey.AddOffsetsToTxn, 3, {
    transactionalId,
    producerId,
    producerEpoch,
    groupId,
  });
  return r.errorCode;
}

export async function endTxn(
  bootstrap: string,
  transactionalId: string,
  producerId: bigint,
  producerEpoch: number,
  committed: boolean,
  version = 3,
): Promise<number> {
  const r = await request<EndTxnResponse>(bootstrap, ApiKey.EndTxn, version, {
    transactionalId,
    producerId,
    producerEpoch,
    committed,
  });
  return r.errorCode;
}

export async function describeTxn(
  bootstrap: string,
  transactionalId: string,
): Promise<DescribeTransactionsResponseTransactionState> {
  const r = await request<DescribeTransactionsResponse>(bootstrap, ApiKey.DescribeTransactions, 0, {
    transactionalIds: [transactionalId],
  });
  return r.transactionStates[0]!;
}

export function listTxns(
  bootstrap: string,
  filters: { states?: string[]; producerIds?: bigint[]; durationMs?: bigint } = {},
) {
  return request<ListTransactionsResponse>(bootstrap, ApiKey.ListTransactions, 1, {
    stateFilters: filters.states ?? [],
    producerIdFilters: filters.producerIds ?? [],
    durationFilter: filters.durationMs ?? -1n,
  });
}

/** Polls DescribeTransactions until the id reaches `state` (markers are written after EndTxn is answered). */
export async function awaitTxnState(bootstrap: string, transactionalId: string, state: string) {
  let last: DescribeTransactionsResponseTransactionState | null = null;
  for (let i = 0; i < 200; i++) {
    last = await describeTxn(bootstrap, transactionalId);
    if (last.transactionState === state) return last;
    await sleep(25);
  }
  throw new Error(`${transactionalId} stayed ${last?.transactionState}, not ${state}`);
}

export interface MarkerInLog {
  offset: number;
  commit: boolean;
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
}

/** The commit and abort markers of a partition's log, read from disk. */
export function markersIn(b: StartedBroker, topic: string, partition: number): MarkerInLog[] {
  const hosted = b.broker.services.replicas.get(topic, partition);
  if (!hosted) return [];
  const out: MarkerInLog[] = [];
  for (const raw of scanBatches(hosted.log)) {
    const batch = decodeRecordBatch(raw);
    if (!batch.control) continue;
    for (const r of batch.records) {
      const { type } = decodeControlRecordKey(r.key);
      out.push({
        offset: Number(batch.baseOffset) + r.offsetDelta,
        commit: type === 1,
        producerId: batch.producerId,
        producerEpoch: batch.producerEpoch,
        coordinatorEpoch: decodeEndTxnMarker(r.value).coordinatorEpoch,
      });
    }
  }
  return out;
}

/** Produces one transactional batch (acks=all) with a transactional id; returns the partition's error code and base offset. */
export async function produceTxn(
  bootstrap: string,
  transactionalId: string | null,
  topic: string,
  partition: number,
  producer: { producerId: bigint; producerEpoch: number; baseSequence: number },
  values: string[],
): Promise<{ errorCode: number; baseOffset: bigint }> {
  const records = encodeRecordBatch({
    baseTimestamp: BigInt(Date.now()),
    transactional: true,
    producerId: producer.producerId,
    producerEpoch: producer.producerEpoch,
    baseSequence: producer.baseSequence,
    records: values.map((v, i) => ({
      offsetDelta: i,
      timestampDelta: 0,
      key: null,
      value: Buffer.from(v),
      headers: [],
    })),
  });
  const r = await request<ProduceResponse>(bootstrap, ApiKey.Produce, 9, {
    transactionalId,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  const p = r.responses[0]!.partitionResponses[0]!;
  return { errorCode: p.errorCode, baseOffset: p.baseOffset };
}
