import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ListGroupsRequest } from '../../protocol/generated/messages/list-groups-request.js';
import { ListGroupsResponse } from '../../protocol/generated/messages/list-groups-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

/** ListGroups, with the state filter (v4+) and type filter (v5+). */
export function listGroupsHandler(s: BrokerServices) {
  return defineHandler(ListGroupsRequest, ListGroupsResponse, { min: 0, max: 5 }, async (req, ctx) => {
    const v = ctx.apiVersion;
    const r = await s.groups.request('ListGroups', groupRequestOrigin(ctx), req);
    // Kafka's KafkaApis.handleListGroupsRequest: everything with DESCRIBE on the cluster, else the
    // groups the principal may DESCRIBE.
    const all = s.authorizer.authorizeCluster(ctx.connection, AclOperation.DESCRIBE, false);
    const listed = all
      ? r.groups
      : r.groups.filter((g) =>
          s.authorizer.authorize(
            ctx.connection,
            AclOperation.DESCRIBE,
            AclResourceType.GROUP,
            g.groupId,
            false,
          ),
        );
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      groups: listed.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: v >= 4 ? g.groupState : '',
        groupType: v >= 5 ? g.groupType : '',
      })),
    };
  });
}
