import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { LeaveGroupRequest } from '../../protocol/generated/messages/leave-group-request.js';
import { LeaveGroupResponse } from '../../protocol/generated/messages/leave-group-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

/** LeaveGroup: one member (v0–v2) or a batch of members by id or instance id (v3+, KIP-345). */
export function leaveGroupHandler(s: BrokerServices) {
  return defineHandler(LeaveGroupRequest, LeaveGroupResponse, { min: 0, max: 5 }, async (req, ctx) => {
    // Kafka's KafkaApis.handleLeaveGroupRequest: READ on the group.
    if (!s.authorizer.authorize(ctx.connection, AclOperation.READ, AclResourceType.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    }
    const batch = ctx.apiVersion >= 3;
    const members = batch ? req.members : [{ memberId: req.memberId, groupInstanceId: null, reason: null }];
    const r = await s.groups.request('LeaveGroup', groupRequestOrigin(ctx), {
      groupId: req.groupId,
      members,
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode, members: batch ? r.members : [] };
  });
}
