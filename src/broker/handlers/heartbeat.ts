import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { HeartbeatRequest } from '../../protocol/generated/messages/heartbeat-request.js';
import { HeartbeatResponse } from '../../protocol/generated/messages/heartbeat-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

export function heartbeatHandler(s: BrokerServices) {
  return defineHandler(HeartbeatRequest, HeartbeatResponse, { min: 0, max: 4 }, async (req, ctx) => {
    // Kafka's KafkaApis.handleHeartbeatRequest: READ on the group.
    if (!s.authorizer.authorize(ctx.connection, AclOperation.READ, AclResourceType.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    }
    const r = await s.groups.request('Heartbeat', groupRequestOrigin(ctx), req);
    return { throttleTimeMs: 0, errorCode: r.errorCode };
  });
}
