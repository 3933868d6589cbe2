import { OffsetFetchRequest } from '../../protocol/generated/messages/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../protocol/generated/messages/offset-fetch-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

/** OffsetFetch: one group (v0–v7) or several (v8+); a null topic list asks for every committed offset (v2+). */
export function offsetFetchHandler(s: BrokerServices) {
  return defineHandler(OffsetFetchRequest, OffsetFetchResponse, { min: 0, max: 9 }, async (req, ctx) => {
    const v = ctx.apiVersion;
    const groups =
      v >= 8
        ? req.groups.map((g) => ({ groupId: g.groupId, topics: g.topics }))
        : [{ groupId: req.groupId, topics: req.topics }];
    const r = await s.groups.request('OffsetFetch', groupRequestOrigin(ctx), {
      groups,
      requireStable: v >= 7 && req.requireStable,
    });
    const topicsOf = (g: (typeof r.groups)[number]) =>
      g.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          ...p,
          committedLeaderEpoch: v >= 5 ? p.committedLeaderEpoch : -1,
        })),
      }));
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        groups: r.groups.map((g) => ({ groupId: g.groupId, topics: topicsOf(g), errorCode: g.errorCode })),
      };
    }
    const g = r.groups[0]!;
    return { throttleTimeMs: 0, topics: topicsOf(g), errorCode: v >= 2 ? g.errorCode : 0 };
  });
}
