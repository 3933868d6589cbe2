import { DeleteGroupsRequest } from '../../protocol/generated/messages/delete-groups-request.js';
import { DeleteGroupsResponse } from '../../protocol/generated/messages/delete-groups-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

export function deleteGroupsHandler(s: BrokerServices) {
  return defineHandler(DeleteGroupsRequest, DeleteGroupsResponse, { min: 0, max: 2 }, async (req, ctx) => {
    const r = await s.groups.request('DeleteGroups', groupRequestOrigin(ctx), req);
    return { throttleTimeMs: 0, results: r.results.map((x) => ({ ...x })) };
  });
}
