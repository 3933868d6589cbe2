import { ConfigSource, resolveTopicConfigs } from '../../metadata/config-resolver.js';
import { createTopics } from '../../metadata/controller/create-topics.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { CreateTopicsRequest } from '../../protocol/generated/messages/create-topics-request.js';
import { CreateTopicsResponse } from '../../protocol/generated/messages/create-topics-response.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { submitOrFail } from '../metadata-write.js';

/**
 * CreateTopics: the controller validates and plans each topic; the records are made durable before
 * the response goes out. From v5 the response carries the topic's resulting configs.
 */
export function createTopicsHandler(s: BrokerServices) {
  return defineHandler(CreateTopicsRequest, CreateTopicsResponse, { min: 0, max: 7 }, async (req, ctx) => {
    const results = await submitOrFail(
      s,
      (image) =>
        createTopics(
          image,
          req.topics,
          {
            numPartitions: s.config.get('num.partitions'),
            replicationFactor: s.config.get('default.replication.factor'),
          },
          req.validateOnly,
          s.random,
        ),
      (errorCode, errorMessage) =>
        req.topics.map((t) => ({
          name: t.name,
          topicId: ZERO_UUID,
          errorCode,
          errorMessage,
          numPartitions: -1,
          replicationFactor: -1,
        })),
    );
    for (const r of results) {
      if (r.errorCode === ErrorCode.NONE && !req.validateOnly)
        s.logger.info({ topic: r.name, topicId: r.topicId }, 'topic created');
    }
    return {
      throttleTimeMs: 0,
      topics: results.map((r) => {
        const requested = req.topics.find((t) => t.name === r.name);
        const ok = r.errorCode === ErrorCode.NONE;
        return {
          name: r.name,
          topicId: r.topicId,
          errorCode: r.errorCode,
          errorMessage: ctx.apiVersion >= 1 ? r.errorMessage : null,
          numPartitions: r.numPartitions,
          replicationFactor: r.replicationFactor,
          topicConfigErrorCode: ErrorCode.NONE,
          configs: ok && ctx.apiVersion >= 5 ? topicConfigs(s, r.name, requested?.configs ?? []) : null,
        };
      }),
    };
  });
}

/** The configs a new topic ends up with: its own overrides, else the broker's defaults. */
function topicConfigs(
  s: BrokerServices,
  topic: string,
  own: readonly { name: string; value: string | null }[],
) {
  return resolveTopicConfigs(s.metadata.image, topic, s.nodeId, s.staticConfig).map((c) => {
    const override = own.find((o) => o.name === c.name);
    return {
      name: c.name,
      value: override ? override.value : c.value,
      readOnly: c.readOnly,
      configSource: override ? ConfigSource.DYNAMIC_TOPIC_CONFIG : c.source,
      isSensitive: c.isSensitive,
    };
  });
}
