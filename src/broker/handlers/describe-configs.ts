import { AclOperation } from '../../metadata/acl/acl-binding.js';
import {
  ConfigSource,
  configTypeCode,
  type ResolvedConfig,
  resolveTopicConfigs,
} from '../../metadata/config-resolver.js';
import { ConfigResourceType } from '../../metadata/metadata-image.js';
import { topicNameProblem } from '../../metadata/topic-name.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DescribeConfigsRequest } from '../../protocol/generated/messages/describe-configs-request.js';
import { DescribeConfigsResponse } from '../../protocol/generated/messages/describe-configs-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { resolveBrokerConfigs } from '../config/broker-config-describer.js';
import { configsAuthorizationError } from './configs-authorization.js';

/** DescribeConfigs for topics and brokers, with synonyms (v1+) and documentation and types (v3+). */
export function describeConfigsHandler(s: BrokerServices) {
  return defineHandler(DescribeConfigsRequest, DescribeConfigsResponse, { min: 0, max: 4 }, (req, ctx) => {
    const v = ctx.apiVersion;
    const image = s.metadata.image;
    const results = req.resources.map((r) => {
      const result = (errorCode: number, errorMessage: string | null, configs: ResolvedConfig[] = []) => ({
        errorCode,
        errorMessage,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: configs
          .filter((c) => r.configurationKeys === null || r.configurationKeys.includes(c.name))
          .map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            isDefault: v === 0 && c.source === ConfigSource.DEFAULT_CONFIG,
            configSource: c.source,
            isSensitive: c.isSensitive,
            synonyms: v >= 1 && req.includeSynonyms ? c.synonyms : [],
            configType: configTypeCode(c.type),
            documentation: v >= 3 && req.includeDocumentation ? c.documentation : null,
          })),
      });
      const denied = configsAuthorizationError(s, ctx.connection, AclOperation.DESCRIBE_CONFIGS, r);
      if (denied) return result(denied.errorCode, denied.errorMessage);
      if (r.resourceType === ConfigResourceType.TOPIC) {
        const problem = topicNameProblem(r.resourceName);
        if (problem) return result(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
        if (!image.topic(r.resourceName)) {
          return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${r.resourceName}' does not exist.`);
        }
        return result(
          ErrorCode.NONE,
          null,
          resolveTopicConfigs(image, r.resourceName, s.nodeId, s.staticConfig),
        );
      }
      if (r.resourceType === ConfigResourceType.BROKER) {
        if (r.resourceName !== '' && r.resourceName !== String(s.nodeId)) {
          return result(
            ErrorCode.INVALID_REQUEST,
            `Unexpected broker id, expected ${s.nodeId} or empty string, but received ${r.resourceName}`,
          );
        }
        return result(ErrorCode.NONE, null, resolveBrokerConfigs(image, r.resourceName, s.config));
      }
      return result(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${r.resourceType}.`);
    });
    return { throttleTimeMs: 0, results };
  });
}
