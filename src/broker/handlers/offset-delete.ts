import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { OffsetDeleteRequest } from '../../protocol/generated/messages/offset-delete-request.js';
import { OffsetDeleteResponse } from '../../protocol/generated/messages/offset-delete-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

/** OffsetDelete (KIP-496): removes committed offsets of partitions the group no longer consumes. */
export function offsetDeleteHandler(s: BrokerServices) {
  return defineHandler(OffsetDeleteRequest, OffsetDeleteResponse, { min: 0, max: 0 }, async (req, ctx) => {
    // Kafka's KafkaApis.handleOffsetDeleteRequest: DELETE on the group, then READ on each topic.
    if (!s.authorizer.authorize(ctx.connection, AclOperation.DELETE, AclResourceType.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
    }
    const allowed = s.authorizer.filterAuthorized(
      ctx.connection,
      AclOperation.READ,
      AclResourceType.TOPIC,
      req.topics.map((t) => t.name),
    );
    const denied = req.topics
      .filter((t) => !allowed.has(t.name))
      .map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        })),
      }));
    const toDelete = denied.length === 0 ? req.topics : req.topics.filter((t) => allowed.has(t.name));
    const r = await s.groups.request('OffsetDelete', groupRequestOrigin(ctx), { ...req, topics: toDelete });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      topics: [
        ...r.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ ...p })) })),
        ...denied,
      ],
    };
  });
}
