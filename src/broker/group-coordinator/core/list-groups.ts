import { ErrorCode } from '../../../protocol/error-codes.js';
import type { CoordinatorState } from './coordinator-state.js';
import type { GroupRequestContext, ListedGroup, ListGroupsRequest } from './group-api.js';

/** ListGroups: the groups of every partition this coordinator has loaded, filtered by state (v4+) and type (v5+). */
export function listGroups(s: CoordinatorState, ctx: GroupRequestContext, req: ListGroupsRequest): void {
  const states = new Set(req.statesFilter.map((x) => x.trim().toLowerCase()));
  const types = new Set(req.typesFilter.map((x) => x.trim().toLowerCase()));
  // A partition still loading fails the whole listing, so the admin client retries.
  for (const status of s.partitions.values()) {
    if (status === 'loading') {
      s.respond(ctx.requestId, 'ListGroups', {
        errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
        groups: [],
      });
      return;
    }
  }
  const groups: ListedGroup[] = [];
  for (const group of s.groups.values()) {
    if (states.size > 0 && !states.has(group.state.toLowerCase())) continue;
    if (types.size > 0 && !types.has('classic')) continue;
    groups.push({
      groupId: group.groupId,
      protocolType: group.protocolType ?? '',
      groupState: group.state,
      groupType: 'classic',
    });
  }
  s.respond(ctx.requestId, 'ListGroups', { errorCode: ErrorCode.NONE, groups });
}
