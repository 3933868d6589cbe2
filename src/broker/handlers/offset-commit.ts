import { OffsetCommitRequest } from '../../protocol/generated/messages/offset-commit-request.js';
import { OffsetCommitResponse } from '../../protocol/generated/messages/offset-commit-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

/** OffsetCommit: answered once the offset records are committed in __consumer_offsets. */
export function offsetCommitHandler(s: BrokerServices) {
  return defineHandler(OffsetCommitRequest, OffsetCommitResponse, { min: 0, max: 9 }, async (req, ctx) => {
    const r = await s.groups.request('OffsetCommit', groupRequestOrigin(ctx), req);
    return {
      throttleTimeMs: 0,
      topics: r.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ ...p })) })),
    };
  });
}
