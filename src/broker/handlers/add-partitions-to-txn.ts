import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { isInternalTopic } from '../../metadata/topic-name.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { AddPartitionsToTxnRequest } from '../../protocol/generated/messages/add-partitions-to-txn-request.js';
import {
  AddPartitionsToTxnResponse,
  type AddPartitionsToTxnResponseAddPartitionsToTxnResult,
} from '../../protocol/generated/messages/add-partitions-to-txn-response.js';
import { defineHandler, type RequestContext } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import type { TransactionPartitions } from '../transaction-coordinator/core/transaction-metadata.js';
import { fencedForVersion } from './txn-errors.js';

interface TxnEntry {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: { name: string; partitions: number[] }[];
}

type TopicResults = AddPartitionsToTxnResponseAddPartitionsToTxnResult['topicResults'];

function resultsOf(
  topics: TxnEntry['topics'],
  codeOf: (topic: string, partition: number) => number,
): TopicResults {
  return topics.map((t) => ({
    name: t.name,
    resultsByPartition: [...new Set(t.partitions)].map((partitionIndex) => ({
      partitionIndex,
      partitionErrorCode: codeOf(t.name, partitionIndex),
    })),
  }));
}

function partitionsOf(topics: TxnEntry['topics']): TransactionPartitions {
  const m: TransactionPartitions = new Map();
  for (const t of topics) {
    const set = m.get(t.name) ?? new Set<number>();
    for (const p of t.partitions) set.add(p);
    m.set(t.name, set);
  }
  return m;
}

/**
 * What a producer's AddPartitionsToTxn (v0-3) is refused for: TRANSACTIONAL_ID_AUTHORIZATION_FAILED
 * for every partition without WRITE on the transactional id; else TOPIC_AUTHORIZATION_FAILED for the
 * partitions of topics without WRITE (internal topics are never writable by clients) and
 * OPERATION_NOT_ATTEMPTED, or UNKNOWN_TOPIC_OR_PARTITION, for the rest. Null when all is allowed.
 */
function clientAuthorizationError(
  s: BrokerServices,
  ctx: RequestContext,
  e: TxnEntry,
): AddPartitionsToTxnResponseAddPartitionsToTxnResult | null {
  const authorizer = s.authorizer;
  const id = e.transactionalId;
  if (!authorizer.authorize(ctx.connection, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID, id)) {
    return {
      transactionalId: id,
      topicResults: resultsOf(e.topics, () => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
    };
  }
  const allowed = authorizer.filterAuthorized(
    ctx.connection,
    AclOperation.WRITE,
    AclResourceType.TOPIC,
    e.topics.map((t) => t.name).filter((name) => !isInternalTopic(name)),
  );
  if (e.topics.every((t) => allowed.has(t.name))) return null;
  const image = s.metadata.image;
  return {
    transactionalId: id,
    topicResults: resultsOf(e.topics, (topic, p) =>
      !allowed.has(topic)
        ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
        : image.partition(topic, p)
          ? ErrorCode.OPERATION_NOT_ATTEMPTED
          : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ),
  };
}

/**
 * AddPartitionsToTxn v0-5 (KafkaApis.handleAddPartitionsToTxnRequest). v0-3 come from producers
 * and carry one transaction; v4+ batch transactions and come from brokers (KIP-890), each either
 * adding or only verifying (`verifyOnly`). A partition that does not exist fails the whole
 * transaction: UNKNOWN_TOPIC_OR_PARTITION for it, OPERATION_NOT_ATTEMPTED for the others.
 */
export function addPartitionsToTxnHandler(s: BrokerServices) {
  return defineHandler(
    AddPartitionsToTxnRequest,
    AddPartitionsToTxnResponse,
    { min: 0, max: 5 },
    async (req, ctx) => {
      const v = ctx.apiVersion;
      const authorizer = s.authorizer;
      // Kafka's KafkaApis.handleAddPartitionsToTxnRequest: v4+ comes from brokers and needs
      // CLUSTER_ACTION; earlier versions need WRITE on the transactional id and on each topic.
      if (v >= 4 && !authorizer.authorizeCluster(ctx.connection, AclOperation.CLUSTER_ACTION)) {
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          resultsByTransaction: [],
          resultsByTopicV3AndBelow: [],
        };
      }
      const entries: TxnEntry[] =
        v < 4
          ? [
              {
                transactionalId: req.v3AndBelowTransactionalId,
                producerId: req.v3AndBelowProducerId,
                producerEpoch: req.v3AndBelowProducerEpoch,
                verifyOnly: false,
                topics: req.v3AndBelowTopics,
              },
            ]
          : req.transactions;
      const image = s.metadata.image;
      const results = await Promise.all(
        entries.map(async (e): Promise<AddPartitionsToTxnResponseAddPartitionsToTxnResult> => {
          if (v < 4 && authorizer.enabled) {
            const denied = clientAuthorizationError(s, ctx, e);
            if (denied) return denied;
          }
          const missing = e.topics.some((t) => t.partitions.some((p) => !image.partition(t.name, p)));
          if (missing) {
            return {
              transactionalId: e.transactionalId,
              topicResults: resultsOf(e.topics, (topic, p) =>
                image.partition(topic, p)
                  ? ErrorCode.OPERATION_NOT_ATTEMPTED
                  : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              ),
            };
          }
          const input = {
            transactionalId: e.transactionalId,
            producerId: e.producerId,
            producerEpoch: e.producerEpoch,
            partitions: partitionsOf(e.topics),
          };
          if (e.verifyOnly) {
            const r = s.transactions.verifyPartitionsInTxn(input);
            return {
              transactionalId: e.transactionalId,
              topicResults: resultsOf(
                e.topics,
                (topic, p) => r.partitionErrors.get(topic)?.get(p) ?? r.errorCode,
              ),
            };
          }
          const r = await s.transactions.addPartitionsToTxn(input);
          const code = fencedForVersion(r.errorCode, v, 2);
          return { transactionalId: e.transactionalId, topicResults: resultsOf(e.topics, () => code) };
        }),
      );
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        resultsByTransaction: v >= 4 ? results : [],
        resultsByTopicV3AndBelow: v < 4 ? results[0]!.topicResults : [],
      };
    },
  );
}
