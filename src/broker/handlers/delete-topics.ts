import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { deleteTopics } from '../../metadata/controller/delete-topics.js';
import { ErrorCode } from '../../protocol/error-codes.js';
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
    // Kafka's KafkaApis.handleDeleteTopicsRequest: DELETE on each topic; a topic named by id also
    // needs DESCRIBE, without which its name is not told.
    const denied = new Map<
      number,
      { name: string | null; topicId: string; errorCode: number; errorMessage: string }
    >();
    if (s.authorizer.enabled && s.config.get('delete.topic.enable')) {
      const image = s.metadata.image;
      topics.forEach((t, i) => {
        const byId = t.topicId !== ZERO_UUID;
        if (byId && t.name !== null) return;
        const name = byId ? (image.topicsById.get(t.topicId)?.name ?? null) : t.name;
        if (name === null) return;
        const fail = (shownName: string | null) =>
          denied.set(i, {
            name: shownName,
            topicId: t.topicId,
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            errorMessage: 'Authorization failed.',
          });
        if (
          byId &&
          !s.authorizer.authorize(ctx.connection, AclOperation.DESCRIBE, AclResourceType.TOPIC, name)
        ) {
          fail(null);
        } else if (
          !s.authorizer.authorize(ctx.connection, AclOperation.DELETE, AclResourceType.TOPIC, name)
        ) {
          fail(name);
        }
      });
    }
    const toDelete = denied.size === 0 ? topics : topics.filter((_, i) => !denied.has(i));
    const deleted = await submitOrFail(
      s,
      (image) => deleteTopics(image, toDelete, s.config.get('delete.topic.enable')),
      (errorCode, errorMessage) =>
        toDelete.map((t) => ({ name: t.name, topicId: t.topicId, errorCode, errorMessage })),
    );
    const next = deleted[Symbol.iterator]();
    const results = topics.map((_, i) => denied.get(i) ?? next.next().value!);
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
