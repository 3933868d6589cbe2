import { ApiKey } from '../../protocol/generated/api-registry.js';
import type { AlterClientQuotasRequest } from '../../protocol/generated/messages/alter-client-quotas-request.js';
import type { AlterConfigsRequest } from '../../protocol/generated/messages/alter-configs-request.js';
import type { AlterUserScramCredentialsRequest } from '../../protocol/generated/messages/alter-user-scram-credentials-request.js';
import type { CreateAclsRequest } from '../../protocol/generated/messages/create-acls-request.js';
import type { CreatePartitionsRequest } from '../../protocol/generated/messages/create-partitions-request.js';
import type { CreateTopicsRequest } from '../../protocol/generated/messages/create-topics-request.js';
import type { DeleteAclsRequest } from '../../protocol/generated/messages/delete-acls-request.js';
import type { DeleteTopicsRequest } from '../../protocol/generated/messages/delete-topics-request.js';
import type { ElectLeadersRequest } from '../../protocol/generated/messages/elect-leaders-request.js';
import type { IncrementalAlterConfigsRequest } from '../../protocol/generated/messages/incremental-alter-configs-request.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';

/**
 * The response a forwarded request gets when the controller could not answer it (Kafka's
 * AbstractRequest.getErrorResponse): every entry of the request with the same error.
 */
export type ErrorResponseOf = (
  body: unknown,
  version: number,
  errorCode: number,
  errorMessage: string,
) => unknown;

/**
 * The APIs that change cluster metadata, which a broker that is not the active controller forwards
 * to it in an Envelope (Kafka's ApiKeys with forwardable = true, KIP-590), with the error response
 * each gets when the controller cannot be reached. An API added later that appends controller
 * records joins by an entry here.
 */
export const FORWARDED_APIS: ReadonlyMap<number, ErrorResponseOf> = new Map<number, ErrorResponseOf>([
  [
    ApiKey.CreateTopics,
    (body, _v, errorCode, errorMessage) => ({
      throttleTimeMs: 0,
      topics: (body as CreateTopicsRequest).topics.map((t) => ({
        name: t.name,
        topicId: ZERO_UUID,
        errorCode,
        errorMessage,
        topicConfigErrorCode: 0,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      })),
    }),
  ],
  [
    ApiKey.DeleteTopics,
    (body, v, errorCode, errorMessage) => {
      const req = body as DeleteTopicsRequest;
      const topics = v >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
      return {
        throttleTimeMs: 0,
        responses: topics.map((t) => ({ name: t.name, topicId: t.topicId, errorCode, errorMessage })),
      };
    },
  ],
  [
    ApiKey.CreatePartitions,
    (body, _v, errorCode, errorMessage) => ({
      throttleTimeMs: 0,
      results: (body as CreatePartitionsRequest).topics.map((t) => ({
        name: t.name,
        errorCode,
        errorMessage,
      })),
    }),
  ],
  [
    ApiKey.AlterConfigs,
    (body, _v, errorCode, errorMessage) => ({
      throttleTimeMs: 0,
      responses: (body as AlterConfigsRequest).resources.map((r) => ({
        errorCode,
        errorMessage,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      })),
    }),
  ],
  [
    ApiKey.IncrementalAlterConfigs,
    (body, _v, errorCode, errorMessage) => ({
      throttleTimeMs: 0,
      responses: (body as IncrementalAlterConfigsRequest).resources.map((r) => ({
        errorCode,
        errorMessage,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      })),
    }),
  ],
  [
    ApiKey.AlterUserScramCredentials,
    (body, _v, errorCode, errorMessage) => {
      const req = body as AlterUserScramCredentialsRequest;
      return {
        throttleTimeMs: 0,
        results: [...req.deletions, ...req.upsertions].map((u) => ({
          user: u.name,
          errorCode,
          errorMessage,
        })),
      };
    },
  ],
  [
    ApiKey.CreateAcls,
    (body, _v, errorCode, errorMessage) => ({
      throttleTimeMs: 0,
      results: (body as CreateAclsRequest).creations.map(() => ({ errorCode, errorMessage })),
    }),
  ],
  [
    ApiKey.DeleteAcls,
    (body, _v, errorCode, errorMessage) => ({
      throttleTimeMs: 0,
      filterResults: (body as DeleteAclsRequest).filters.map(() => ({
        errorCode,
        errorMessage,
        matchingAcls: [],
      })),
    }),
  ],
  [
    ApiKey.ElectLeaders,
    (body, _v, errorCode, errorMessage) => ({
      throttleTimeMs: 0,
      errorCode,
      replicaElectionResults: ((body as ElectLeadersRequest).topicPartitions ?? []).map((t) => ({
        topic: t.topic,
        partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage })),
      })),
    }),
  ],
  [
    ApiKey.AlterClientQuotas,
    (body, _v, errorCode, errorMessage) => ({
      throttleTimeMs: 0,
      entries: (body as AlterClientQuotasRequest).entries.map((e) => ({
        errorCode,
        errorMessage,
        entity: e.entity.map((d) => ({ entityType: d.entityType, entityName: d.entityName })),
      })),
    }),
  ],
]);
