import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { TxnOffsetCommitRequest } from '../../protocol/generated/messages/txn-offset-commit-request.js';
import { TxnOffsetCommitResponse } from '../../protocol/generated/messages/txn-offset-commit-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { OFFSETS_TOPIC } from '../group-coordinator/shell/internal-topics.js';
import { groupRequestOrigin } from './group-request-origin.js';
import { verifyTxnPartition } from './produce-txn-verification.js';

/**
 * TxnOffsetCommit v0-4 (KafkaApis.handleTxnOffsetCommitRequest): a transactional producer commits
 * a consumer group's offsets as part of its transaction; they become the group's committed
 * offsets when the transaction commits. Partitions of topics that do not exist are
 * UNKNOWN_TOPIC_OR_PARTITION and the others go ahead. Before the group coordinator appends, the
 * group's __consumer_offsets partition must be in the transaction (AddOffsetsToTxn, KIP-890) and
 * the producer's epoch current there.
 */
export function txnOffsetCommitHandler(s: BrokerServices) {
  return defineHandler(
    TxnOffsetCommitRequest,
    TxnOffsetCommitResponse,
    { min: 0, max: 4 },
    async (req, ctx) => {
      const image = s.metadata.image;
      const everyPartition = (errorCode: number) => ({
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
        })),
      });
      // Kafka's KafkaApis.handleTxnOffsetCommitRequest: WRITE on the transactional id, READ on the
      // group, READ on each topic.
      const authorizer = s.authorizer;
      const id = req.transactionalId;
      if (!authorizer.authorize(ctx.connection, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID, id)) {
        return everyPartition(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      }
      if (!authorizer.authorize(ctx.connection, AclOperation.READ, AclResourceType.GROUP, req.groupId)) {
        return everyPartition(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      }
      const allowed = authorizer.filterAuthorized(
        ctx.connection,
        AclOperation.READ,
        AclResourceType.TOPIC,
        req.topics.map((t) => t.name),
      );
      const offsets = s.replicas.get(OFFSETS_TOPIC, s.groups.core.partitionFor(req.groupId));
      if (offsets) {
        const unverified = await verifyTxnPartition(
          s,
          req.transactionalId,
          offsets,
          req.producerId,
          req.producerEpoch,
        );
        if (unverified) return everyPartition(unverified.code);
        const entry = offsets.log.producerState.entry(req.producerId);
        if (entry && entry.producerEpoch > req.producerEpoch)
          return everyPartition(ErrorCode.INVALID_PRODUCER_EPOCH);
      }
      const known = req.topics
        .map((t) => ({
          ...t,
          partitions: allowed.has(t.name)
            ? t.partitions.filter((p) => image.partition(t.name, p.partitionIndex))
            : [],
        }))
        .filter((t) => t.partitions.length > 0);
      let answered: Map<string, Map<number, number>>;
      try {
        const r = await s.groups.request('TxnOffsetCommit', groupRequestOrigin(ctx), {
          ...req,
          topics: known,
        });
        answered = new Map(
          r.topics.map((t) => [t.name, new Map(t.partitions.map((p) => [p.partitionIndex, p.errorCode]))]),
        );
      } catch {
        // The records did not become durable; the partition is being reloaded.
        return everyPartition(ErrorCode.NOT_COORDINATOR);
      }
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: !allowed.has(t.name)
              ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
              : (answered.get(t.name)?.get(p.partitionIndex) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION),
          })),
        })),
      };
    },
  );
}
