import { AclOperation } from '../../metadata/acl/acl-binding.js';
import {
  alterUserScramCredentials,
  describeUserScramCredentials,
} from '../../metadata/controller/user-scram-credentials.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { AlterUserScramCredentialsRequest } from '../../protocol/generated/messages/alter-user-scram-credentials-request.js';
import { AlterUserScramCredentialsResponse } from '../../protocol/generated/messages/alter-user-scram-credentials-response.js';
import { DescribeUserScramCredentialsRequest } from '../../protocol/generated/messages/describe-user-scram-credentials-request.js';
import { DescribeUserScramCredentialsResponse } from '../../protocol/generated/messages/describe-user-scram-credentials-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { submitOrFail } from '../metadata-write.js';

/** AlterUserScramCredentials (KIP-554): SCRAM users as UserScramCredentialRecords in the metadata log. */
export function alterUserScramCredentialsHandler(s: BrokerServices) {
  return defineHandler(
    AlterUserScramCredentialsRequest,
    AlterUserScramCredentialsResponse,
    { min: 0, max: 0 },
    async (req, ctx) => {
      // Kafka's KafkaApis.handleAlterUserScramCredentialsRequest: ALTER on the cluster.
      if (!s.authorizer.authorizeCluster(ctx.connection, AclOperation.ALTER)) {
        const users = [...new Set([...req.deletions, ...req.upsertions].map((a) => a.name))];
        return {
          throttleTimeMs: 0,
          results: users.map((user) => ({
            user,
            errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
            errorMessage: 'Cluster authorization failed.',
          })),
        };
      }
      const results = await submitOrFail(
        s,
        (image) => alterUserScramCredentials(image, req.deletions, req.upsertions),
        (errorCode, errorMessage) =>
          [...new Set([...req.deletions, ...req.upsertions].map((a) => a.name))].map((user) => ({
            user,
            errorCode,
            errorMessage,
          })),
      );
      return { throttleTimeMs: 0, results };
    },
  );
}

/** DescribeUserScramCredentials (KIP-554): mechanisms and iterations, never salts or keys. */
export function describeUserScramCredentialsHandler(s: BrokerServices) {
  return defineHandler(
    DescribeUserScramCredentialsRequest,
    DescribeUserScramCredentialsResponse,
    { min: 0, max: 0 },
    (req, ctx) =>
      // Kafka's KafkaApis.handleDescribeUserScramCredentialsRequest: DESCRIBE on the cluster.
      !s.authorizer.authorizeCluster(ctx.connection, AclOperation.DESCRIBE)
        ? {
            throttleTimeMs: 0,
            errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
            errorMessage: 'Cluster authorization failed.',
            results: [],
          }
        : {
            throttleTimeMs: 0,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            results: describeUserScramCredentials(
              s.metadata.image,
              req.users === null ? null : req.users.map((u) => u.name),
            ),
          },
  );
}
