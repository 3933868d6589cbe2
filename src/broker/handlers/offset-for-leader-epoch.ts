import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { OffsetForLeaderEpochRequest } from '../../protocol/generated/messages/offset-for-leader-epoch-request.js';
import { OffsetForLeaderEpochResponse } from '../../protocol/generated/messages/offset-for-leader-epoch-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { kafkaErrorFor } from '../replica/storage-error-codes.js';

/**
 * OffsetForLeaderEpoch (KIP-101, KIP-320): the end offset of a leader epoch, which consumers use
 * to detect log truncation after an unclean leader change and followers to find where to truncate.
 */
export function offsetForLeaderEpochHandler(s: BrokerServices) {
  return defineHandler(
    OffsetForLeaderEpochRequest,
    OffsetForLeaderEpochResponse,
    { min: 0, max: 4 },
    (req, ctx) => {
      // Kafka's KafkaApis.handleOffsetForLeaderEpochRequest: CLUSTER_ACTION on the cluster (a
      // follower), or else DESCRIBE on each topic.
      const authorizer = s.authorizer;
      const allowed =
        !authorizer.enabled || authorizer.authorizeCluster(ctx.connection, AclOperation.CLUSTER_ACTION, false)
          ? null
          : authorizer.filterAuthorized(
              ctx.connection,
              AclOperation.DESCRIBE,
              AclResourceType.TOPIC,
              req.topics.map((t) => t.topic),
            );
      const topics = req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => {
          const fail = (errorCode: number) => ({
            errorCode,
            partition: p.partition,
            leaderEpoch: -1,
            endOffset: -1n,
          });
          if (allowed !== null && !allowed.has(t.topic)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          const lookup = s.replicas.leader(s.metadata.image, t.topic, p.partition);
          if (!lookup.partition) return fail(lookup.errorCode);
          const epochError = lookup.partition.checkLeaderEpoch(
            ctx.apiVersion >= 2 ? p.currentLeaderEpoch : -1,
          );
          if (epochError !== ErrorCode.NONE) return fail(epochError);
          try {
            const r = lookup.partition.log.endOffsetForEpoch(p.leaderEpoch);
            return {
              errorCode: ErrorCode.NONE,
              partition: p.partition,
              leaderEpoch: r.epoch,
              endOffset: BigInt(r.endOffset),
            };
          } catch (err) {
            const mapped = kafkaErrorFor(err);
            if (!mapped) throw err;
            return fail(mapped.code);
          }
        }),
      }));
      return { throttleTimeMs: 0, topics };
    },
  );
}
