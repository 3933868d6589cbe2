import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DeleteGroupsRequest } from '../../protocol/generated/messages/delete-groups-request.js';
import { DeleteGroupsResponse } from '../../protocol/generated/messages/delete-groups-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

export function deleteGroupsHandler(s: BrokerServices) {
  return defineHandler(DeleteGroupsRequest, DeleteGroupsResponse, { min: 0, max: 2 }, async (req, ctx) => {
    // Kafka's KafkaApis.handleDeleteGroupsRequest: DELETE on each group.
    const allowed = s.authorizer.filterAuthorized(
      ctx.connection,
      AclOperation.DELETE,
      AclResourceType.GROUP,
      req.groupsNames,
    );
    const toDelete = req.groupsNames.filter((g) => allowed.has(g));
    const r =
      toDelete.length === 0
        ? { results: [] }
        : await s.groups.request('DeleteGroups', groupRequestOrigin(ctx), { ...req, groupsNames: toDelete });
    const denied = req.groupsNames
      .filter((g) => !allowed.has(g))
      .map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }));
    return { throttleTimeMs: 0, results: [...r.results.map((x) => ({ ...x })), ...denied] };
  });
}
