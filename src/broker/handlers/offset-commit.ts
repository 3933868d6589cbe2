import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { OffsetCommitRequest } from '../../protocol/generated/messages/offset-commit-request.js';
import { OffsetCommitResponse } from '../../protocol/generated/messages/offset-commit-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

/** OffsetCommit: answered once the offset records are committed in __consumer_offsets. */
export function offsetCommitHandler(s: BrokerServices) {
  return defineHandler(OffsetCommitRequest, OffsetCommitResponse, { min: 0, max: 9 }, async (req, ctx) => {
    // Kafka's KafkaApis.handleOffsetCommitRequest: READ on the group, then READ on each topic.
    const failTopic = (t: (typeof req.topics)[number], errorCode: number) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    });
    if (!s.authorizer.authorize(ctx.connection, AclOperation.READ, AclResourceType.GROUP, req.groupId)) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => failTopic(t, ErrorCode.GROUP_AUTHORIZATION_FAILED)),
      };
    }
    const allowed = s.authorizer.filterAuthorized(
      ctx.connection,
      AclOperation.READ,
      AclResourceType.TOPIC,
      req.topics.map((t) => t.name),
    );
    const denied = req.topics
      .filter((t) => !allowed.has(t.name))
      .map((t) => failTopic(t, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
    const toCommit = denied.length === 0 ? req.topics : req.topics.filter((t) => allowed.has(t.name));
    if (toCommit.length === 0 && denied.length > 0) return { throttleTimeMs: 0, topics: denied };
    const r = await s.groups.request('OffsetCommit', groupRequestOrigin(ctx), { ...req, topics: toCommit });
    return {
      throttleTimeMs: 0,
      topics: [
        ...r.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ ...p })) })),
        ...denied,
      ],
    };
  });
}
