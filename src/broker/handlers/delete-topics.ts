import { deleteTopics } from '../../metadata/controller/delete-topics.js';
import { DeleteTopicsRequest } from '../../protocol/generated/messages/delete-topics-request.js';
import { DeleteTopicsResponse } from '../../protocol/generated/messages/delete-topics-response.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { submitOrFail } from '../metadata-write.js';

/** DeleteTopics: by name (v0–v5 `topicNames`) or by name or id (v6+ `topics`). */
export function deleteTopicsHandler(s: BrokerServices) {
  return defineHandler(DeleteTopicsRequest, DeleteTopicsResponse, { min: 0, max: 6 }, async (req, ctx) => {
    const topics =
      ctx.apiVersion >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const results = await submitOrFail(
      s,
      (image) => deleteTopics(image, topics, s.config.get('delete.topic.enable')),
      (errorCode, errorMessage) =>
        topics.map((t) => ({ name: t.name, topicId: t.topicId, errorCode, errorMessage })),
    );
    for (const r of results)
      if (r.errorCode === 0) s.logger.info({ topic: r.name, topicId: r.topicId }, 'topic deleted');
    return {
      throttleTimeMs: 0,
      responses: results.map((r) => ({
        name: r.name,
        topicId: r.topicId,
        errorCode: r.errorCode,
        errorMessage: ctx.apiVersion >= 5 ? r.errorMessage : null,
      })),
    };
  });
}
