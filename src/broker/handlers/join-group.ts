import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { JoinGroupRequest } from '../../protocol/generated/messages/join-group-request.js';
import { JoinGroupResponse } from '../../protocol/generated/messages/join-group-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

/** JoinGroup: parked by the coordinator until the join phase of the rebalance ends. */
export function joinGroupHandler(s: BrokerServices) {
  return defineHandler(JoinGroupRequest, JoinGroupResponse, { min: 0, max: 9 }, async (req, ctx) => {
    const v = ctx.apiVersion;
    // Kafka's KafkaApis.handleJoinGroupRequest: READ on the group.
    if (!s.authorizer.authorize(ctx.connection, AclOperation.READ, AclResourceType.GROUP, req.groupId)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        generationId: -1,
        protocolType: null,
        protocolName: v >= 7 ? null : '',
        leader: '',
        skipAssignment: false,
        memberId: '',
        members: [],
      };
    }
    const r = await s.groups.request('JoinGroup', groupRequestOrigin(ctx), req);
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: v >= 7 ? r.protocolType : null,
      protocolName: r.protocolName ?? (v >= 7 ? null : ''),
      leader: r.leader,
      skipAssignment: v >= 9 ? r.skipAssignment : false,
      memberId: r.memberId,
      members: r.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: v >= 5 ? m.groupInstanceId : null,
        metadata: m.metadata,
      })),
    };
  });
}
