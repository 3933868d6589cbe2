import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ConfigSource, resolveTopicConfigs } from '../../metadata/config-resolver.js';
import { createTopics } from '../../metadata/controller/create-topics.js';
import { CLUSTER_METADATA_TOPIC } from '../../metadata/topic-name.js';
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
    // Kafka's KafkaApis.handleCreateTopicsRequest: CREATE on the cluster, or else on each topic;
    // a topic denied is answered TOPIC_AUTHORIZATION_FAILED and never reaches the controller
    // (duplicates and the metadata topic go on, to be refused there as Kafka refuses them first).
    const authorizer = s.authorizer;
    const conn = ctx.connection;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const mayCreateAll = authorizer.authorizeCluster(conn, AclOperation.CREATE, false);
    const denied = new Set<string>();
    if (!mayCreateAll) {
      for (const t of req.topics) {
        if (counts.get(t.name)! > 1 || t.name === CLUSTER_METADATA_TOPIC) continue;
        if (!authorizer.authorize(conn, AclOperation.CREATE, AclResourceType.TOPIC, t.name))
          denied.add(t.name);
      }
    }
    const toCreate = denied.size === 0 ? req.topics : req.topics.filter((t) => !denied.has(t.name));
    const created = await submitOrFail(
      s,
      (image) =>
        createTopics(
          image,
          toCreate,
          {
            numPartitions: s.config.get('num.partitions'),
            replicationFactor: s.config.get('default.replication.factor'),
          },
          req.validateOnly,
          s.random,
        ),
      (errorCode, errorMessage) =>
        toCreate.map((t) => ({
          name: t.name,
          topicId: ZERO_UUID,
          errorCode,
          errorMessage,
          numPartitions: -1,
          replicationFactor: -1,
        })),
    );
    const next = created[Symbol.iterator]();
    const results = req.topics.map((t) =>
      denied.has(t.name)
        ? {
            name: t.name,
            topicId: ZERO_UUID,
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            errorMessage: 'Authorization failed.',
            numPartitions: -1,
            replicationFactor: -1,
          }
        : next.next().value!,
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
        // The resulting configs are shown only with DESCRIBE_CONFIGS on the topic.
        const configsDenied =
          authorizer.enabled &&
          r.name !== CLUSTER_METADATA_TOPIC &&
          !authorizer.authorize(conn, AclOperation.DESCRIBE_CONFIGS, AclResourceType.TOPIC, r.name, false);
        return {
          name: r.name,
          topicId: r.topicId,
          errorCode: r.errorCode,
          errorMessage: ctx.apiVersion >= 1 ? r.errorMessage : null,
          numPartitions: r.numPartitions,
          replicationFactor: r.replicationFactor,
          topicConfigErrorCode: configsDenied ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.NONE,
          configs:
            ok && !configsDenied && ctx.apiVersion >= 5
              ? topicConfigs(s, r.name, requested?.configs ?? [])
              : null,
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
