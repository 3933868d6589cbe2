import { AUTHORIZED_OPERATIONS_OMITTED } from '../../protocol/authorized-operations.js';
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
      const r = await s.groups.request('DescribeGroups', groupRequestOrigin(ctx), req);
      return {
        throttleTimeMs: 0,
        groups: r.groups.map((g) => ({
          ...g,
          members: g.members.map((m) => ({ ...m, groupInstanceId: v >= 4 ? m.groupInstanceId : null })),
          authorizedOperations: v >= 3 ? g.authorizedOperations : AUTHORIZED_OPERATIONS_OMITTED,
        })),
      };
    },
  );
}
