import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../../protocol/authorized-operations.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DescribeGroupsRequest } from '../../protocol/generated/messages/describe-groups-request.js';
import { DescribeGroupsResponse } from '../../protocol/generated/messages/describe-groups-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

export function describeGroupsHandler(s: BrokerServices) {
  return defineHandler(
    DescribeGroupsRequest,
    DescribeGroupsResponse,
    { min: 0, max: 5 },
    async (req, ctx) => {
      const v = ctx.apiVersion;
      // Kafka's KafkaApis.handleDescribeGroupsRequest: DESCRIBE on each group; the group's
      // authorized operations when asked (v3+).
      const allowed = s.authorizer.filterAuthorized(
        ctx.connection,
        AclOperation.DESCRIBE,
        AclResourceType.GROUP,
        req.groups,
      );
      const toDescribe = req.groups.filter((g) => allowed.has(g));
      const r =
        toDescribe.length === 0
          ? { groups: [] }
          : await s.groups.request('DescribeGroups', groupRequestOrigin(ctx), { ...req, groups: toDescribe });
      const denied = req.groups
        .filter((g) => !allowed.has(g))
        .map((groupId) => ({
          groupId,
          errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
          groupState: '',
          protocolType: '',
          protocolData: '',
          members: [],
          authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
        }));
      const includeOps = v >= 3 && req.includeAuthorizedOperations;
      return {
        throttleTimeMs: 0,
        groups: [
          ...denied,
          ...r.groups.map((g) => ({
            ...g,
            members: g.members.map((m) => ({ ...m, groupInstanceId: v >= 4 ? m.groupInstanceId : null })),
            authorizedOperations:
              includeOps && g.errorCode === ErrorCode.NONE
                ? s.authorizer.authorizedOperations(ctx.connection, AclResourceType.GROUP, g.groupId)
                : AUTHORIZED_OPERATIONS_OMITTED,
          })),
        ],
      };
    },
  );
}
