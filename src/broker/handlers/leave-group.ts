import { LeaveGroupRequest } from '../../protocol/generated/messages/leave-group-request.js';
import { LeaveGroupResponse } from '../../protocol/generated/messages/leave-group-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

/** LeaveGroup: one member (v0–v2) or a batch of members by id or instance id (v3+, KIP-345). */
export function leaveGroupHandler(s: BrokerServices) {
  return defineHandler(LeaveGroupRequest, LeaveGroupResponse, { min: 0, max: 5 }, async (req, ctx) => {
    const batch = ctx.apiVersion >= 3;
    const members = batch ? req.members : [{ memberId: req.memberId, groupInstanceId: null, reason: null }];
    const r = await s.groups.request('LeaveGroup', groupRequestOrigin(ctx), {
      groupId: req.groupId,
      members,
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode, members: batch ? r.members : [] };
  });
}
