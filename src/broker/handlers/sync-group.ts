import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { SyncGroupRequest } from '../../protocol/generated/messages/sync-group-request.js';
import { SyncGroupResponse } from '../../protocol/generated/messages/sync-group-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

/** SyncGroup: followers wait until the leader's assignment is stored. */
export function syncGroupHandler(s: BrokerServices) {
  return defineHandler(SyncGroupRequest, SyncGroupResponse, { min: 0, max: 5 }, async (req, ctx) => {
    // Kafka's KafkaApis.handleSyncGroupRequest: READ on the group.
    if (!s.authorizer.authorize(ctx.connection, AclOperation.READ, AclResourceType.GROUP, req.groupId)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        protocolType: null,
        protocolName: null,
        assignment: Buffer.alloc(0),
      };
    }
    const r = await s.groups.request('SyncGroup', groupRequestOrigin(ctx), req);
    const v5 = ctx.apiVersion >= 5;
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      protocolType: v5 ? r.protocolType : null,
      protocolName: v5 ? r.protocolName : null,
      assignment: r.assignment,
    };
  });
}
