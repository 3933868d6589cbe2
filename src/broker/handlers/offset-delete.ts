import { OffsetDeleteRequest } from '../../protocol/generated/messages/offset-delete-request.js';
import { OffsetDeleteResponse } from '../../protocol/generated/messages/offset-delete-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

/** OffsetDelete (KIP-496): removes committed offsets of partitions the group no longer consumes. */
export function offsetDeleteHandler(s: BrokerServices) {
  return defineHandler(OffsetDeleteRequest, OffsetDeleteResponse, { min: 0, max: 0 }, async (req, ctx) => {
    const r = await s.groups.request('OffsetDelete', groupRequestOrigin(ctx), req);
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      topics: r.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ ...p })) })),
    };
  });
}
