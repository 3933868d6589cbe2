import { AclOperation, AclResourceType, CLUSTER_RESOURCE_NAME } from '../../metadata/acl/acl-binding.js';
import { createTopics } from '../../metadata/controller/create-topics.js';
import type { TopicImage } from '../../metadata/metadata-image.js';
import { isInternalTopic, topicNameProblem } from '../../metadata/topic-name.js';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../../protocol/authorized-operations.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { MetadataRequest } from '../../protocol/generated/messages/metadata-request.js';
import { MetadataResponse } from '../../protocol/generated/messages/metadata-response.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { createTopicsOnController } from '../cluster/create-topics-on-controller.js';
import { submitOrFail } from '../metadata-write.js';

type TopicResponse = MessageInput<MetadataResponse['topics'][number]>;

/**
 * Metadata: brokers, cluster id, controller, and topics with their partitions. Unknown topics are
 * created when the client allows it (v4+) and `auto.create.topics.enable` is on; topics may be
 * named by id from v10.
 */
export function metadataHandler(s: BrokerServices) {
  return defineHandler(MetadataRequest, MetadataResponse, { min: 0, max: 12 }, async (req, ctx) => {
    const v = ctx.apiVersion;
    const image = s.metadata.image;
    const authorizer = s.authorizer;
    const conn = ctx.connection;
    const allTopics = req.topics === null || (v === 0 && req.topics.length === 0);
    const allowAutoCreate =
      (v < 4 || req.allowAutoTopicCreation) && s.config.get('auto.create.topics.enable');
    const topicOps = (name: string): number | null =>
      v >= 8 && req.includeTopicAuthorizedOperations
        ? authorizer.authorizedOperations(conn, AclResourceType.TOPIC, name)
        : null;
    const describe = (t: TopicImage): TopicResponse =>
      describeTopic(s, t, topicOps(t.name), conn.listenerName, v);
    // Kafka's KafkaApis.handleTopicMetadataRequest: topics the principal may not DESCRIBE are
    // left out of "all topics" and answered TOPIC_AUTHORIZATION_FAILED when named, whether they
    // exist or not; auto-creation needs CREATE on the cluster or on the topic.
    const mayDescribe = (name: string, logIfDenied: boolean): boolean =>
      authorizer.authorize(conn, AclOperation.DESCRIBE, AclResourceType.TOPIC, name, logIfDenied);
    const topics: TopicResponse[] = [];
    if (allTopics) {
      for (const t of [...image.topicsByName.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        if (mayDescribe(t.name, false)) topics.push(describe(t));
      }
    } else {
      const toCreate: string[] = [];
      let mayCreateAny: boolean | null = null;
      for (const rt of req.topics ?? []) {
        if (rt.name === null) {
          const t = rt.topicId !== ZERO_UUID ? image.topicsById.get(rt.topicId) : undefined;
          if (t && !mayDescribe(t.name, true)) {
            // Topic ids are not secret: the id is answered back, the name is not.
            topics.push(errorTopic(null, rt.topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
            continue;
          }
          topics.push(t ? describe(t) : errorTopic(null, rt.topicId, ErrorCode.UNKNOWN_TOPIC_ID));
          continue;
        }
        if (!mayDescribe(rt.name, true)) {
          topics.push(errorTopic(rt.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
          continue;
        }
        const t = image.topic(rt.name);
        if (t) topics.push(describe(t));
        else if (topicNameProblem(rt.name))
          topics.push(errorTopic(rt.name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION));
        else if (allowAutoCreate && !isInternalTopic(rt.name)) {
          mayCreateAny ??= authorizer.authorizeCluster(conn, AclOperation.CREATE, false);
          if (
            mayCreateAny ||
            authorizer.authorize(conn, AclOperation.CREATE, AclResourceType.TOPIC, rt.name)
          ) {
            toCreate.push(rt.name);
          } else topics.push(errorTopic(rt.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        } else topics.push(errorTopic(rt.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
      }
      if (toCreate.length > 0) topics.push(...(await autoCreate(s, [...new Set(toCreate)], describe)));
    }
    let clusterAuthorizedOperations = AUTHORIZED_OPERATIONS_OMITTED;
    if (v >= 8 && v <= 10 && req.includeClusterAuthorizedOperations) {
      clusterAuthorizedOperations = authorizer.authorizeCluster(conn, AclOperation.DESCRIBE)
        ? authorizer.authorizedOperations(conn, AclResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)
        : 0;
    }
    return {
      throttleTimeMs: 0,
      brokers: s.brokerEndpoints(conn.listenerName),
      clusterId: s.clusterId,
      controllerId: s.controllerId(),
      topics,
      clusterAuthorizedOperations,
    };
  });
}

/** Creates unknown topics with the broker defaults, as a Metadata request may (KIP-487 semantics). */
async function autoCreate(
  s: BrokerServices,
  names: string[],
  describe: (t: TopicImage) => TopicResponse,
): Promise<TopicResponse[]> {
  const channel = s.forwarding.channel();
  const results =
    channel && s.forwarding.mustForward()
      ? await createTopicsOnController(
          channel,
          s.metadata,
          names.map((name) => ({
            name,
            numPartitions: s.config.get('num.partitions'),
            replicationFactor: s.config.get('default.replication.factor'),
            assignments: [],
            configs: [],
          })),
        )
      : await autoCreateLocally(s, names);
  return results.map((r) => {
    const t = s.metadata.image.topic(r.name);
    if (r.errorCode === ErrorCode.NONE && t) return describe(t);
    // Another request may have created it first; report what exists.
    if (r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && t) return describe(t);
    const code =
      r.errorCode === ErrorCode.INVALID_REPLICATION_FACTOR
        ? ErrorCode.INVALID_REPLICATION_FACTOR
        : ErrorCode.LEADER_NOT_AVAILABLE;
    s.logger.warn(
      { topic: r.name, errorCode: r.errorCode, error: r.errorMessage },
      'topic auto-creation failed',
    );
    return errorTopic(r.name, ZERO_UUID, code);
  });
}

/** Decides the creation on this node's image: a single node, or the active controller. */
function autoCreateLocally(s: BrokerServices, names: string[]) {
  return submitOrFail(
    s,
    (image) =>
      createTopics(
        image,
        names.map((name) => ({
          name,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [],
          configs: [],
        })),
        {
          numPartitions: s.config.get('num.partitions'),
          replicationFactor: s.config.get('default.replication.factor'),
        },
        false,
        s.random,
      ),
    (errorCode, errorMessage) =>
      names.map((name) => ({
        name,
        topicId: ZERO_UUID,
        errorCode,
        errorMessage,
        numPartitions: -1,
        replicationFactor: -1,
      })),
  );
}

/**
 * A topic's partitions as a client of `listenerName` sees them, as Kafka's
 * KRaftMetadataCache.getPartitionMetadata: a leader that has no endpoint on that listener is
 * answered as no leader, with LISTENER_NOT_FOUND from v6 and LEADER_NOT_AVAILABLE before; replicas
 * that are fenced or lack the listener are offline; a v0 request, which cannot express them,
 * sees only the replicas it can reach and REPLICA_NOT_AVAILABLE when some were left out.
 */
function describeTopic(
  s: BrokerServices,
  t: TopicImage,
  operations: number | null,
  listenerName: string,
  version: number,
): TopicResponse {
  const brokers = s.metadata.image.brokers;
  const reachable = (id: number): boolean => {
    const b = brokers.get(id);
    return b !== undefined && !b.fenced && b.endPoints.some((e) => e.name === listenerName);
  };
  const partitions = [...t.partitions.values()]
    .sort((a, b) => a.partitionId - b.partitionId)
    .map((p) => {
      const replicaNodes = version === 0 ? p.replicas.filter(reachable) : p.replicas;
      const isrNodes = version === 0 ? p.isr.filter(reachable) : p.isr;
      const leader = p.leader >= 0 ? brokers.get(p.leader) : undefined;
      let errorCode: number = ErrorCode.NONE;
      let leaderId = p.leader;
      if (leader === undefined) {
        errorCode = ErrorCode.LEADER_NOT_AVAILABLE;
        leaderId = -1;
      } else if (!leader.endPoints.some((e) => e.name === listenerName)) {
        errorCode = version >= 6 ? ErrorCode.LISTENER_NOT_FOUND : ErrorCode.LEADER_NOT_AVAILABLE;
        leaderId = -1;
      } else if (replicaNodes.length < p.replicas.length || isrNodes.length < p.isr.length) {
        errorCode = ErrorCode.REPLICA_NOT_AVAILABLE;
      }
      return {
        errorCode,
        partitionIndex: p.partitionId,
        leaderId,
        leaderEpoch: p.leaderEpoch,
        replicaNodes,
        isrNodes,
        offlineReplicas: p.replicas.filter((r) => !reachable(r)),
      };
    });
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: isInternalTopic(t.name),
    partitions,
    topicAuthorizedOperations: operations ?? AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function errorTopic(name: string | null, topicId: string, errorCode: number): TopicResponse {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}
