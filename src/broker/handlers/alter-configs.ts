import { AclOperation } from '../../metadata/acl/acl-binding.js';
import {
  alterConfigs,
  type BrokerConfigRules,
  type ConfigResourceChange,
} from '../../metadata/controller/alter-configs.js';
import { AlterConfigsRequest } from '../../protocol/generated/messages/alter-configs-request.js';
import { AlterConfigsResponse } from '../../protocol/generated/messages/alter-configs-response.js';
import { IncrementalAlterConfigsRequest } from '../../protocol/generated/messages/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../protocol/generated/messages/incremental-alter-configs-response.js';
import { defineHandler, type RequestContext } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { BROKER_CONFIG_DEF } from '../config/broker-config-def.js';
import { isDynamicBrokerConfig } from '../config/broker-config-describer.js';
import { submitOrFail } from '../metadata-write.js';
import { configsAuthorizationError } from './configs-authorization.js';

function rules(s: BrokerServices): BrokerConfigRules {
  return { def: BROKER_CONFIG_DEF, isDynamic: isDynamicBrokerConfig, nodeId: s.nodeId };
}

async function run(
  s: BrokerServices,
  ctx: RequestContext,
  resources: ConfigResourceChange[],
  incremental: boolean,
  validateOnly: boolean,
) {
  // Kafka's KafkaApis: ALTER_CONFIGS on the cluster (brokers), the topic or the group.
  const denied = resources.map((r) =>
    configsAuthorizationError(s, ctx.connection, AclOperation.ALTER_CONFIGS, r),
  );
  const toAlter = resources.filter((_, i) => denied[i] === null);
  const altered = await submitOrFail(
    s,
    (image) => alterConfigs(image, toAlter, incremental, validateOnly, rules(s)),
    (errorCode, errorMessage) =>
      toAlter.map((r) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        errorCode,
        errorMessage,
      })),
  );
  const next = altered[Symbol.iterator]();
  const responses = resources.map((r, i) => {
    const d = denied[i];
    return d ? { resourceType: r.resourceType, resourceName: r.resourceName, ...d } : next.next().value!;
  });
  return { throttleTimeMs: 0, responses };
}

/** AlterConfigs (deprecated): replaces a resource's whole set of dynamic configs. */
export function alterConfigsHandler(s: BrokerServices) {
  return defineHandler(AlterConfigsRequest, AlterConfigsResponse, { min: 0, max: 2 }, (req, ctx) =>
    run(
      s,
      ctx,
      req.resources.map((r) => ({ ...r, configs: r.configs.map((c) => ({ ...c, op: 0 })) })),
      false,
      req.validateOnly,
    ),
  );
}

/** IncrementalAlterConfigs (KIP-339): SET, DELETE, APPEND and SUBTRACT per key. */
export function incrementalAlterConfigsHandler(s: BrokerServices) {
  return defineHandler(
    IncrementalAlterConfigsRequest,
    IncrementalAlterConfigsResponse,
    { min: 0, max: 1 },
    (req, ctx) =>
      run(
        s,
        ctx,
        req.resources.map((r) => ({
          ...r,
          configs: r.configs.map((c) => ({ name: c.name, value: c.value, op: c.configOperation })),
        })),
        true,
        req.validateOnly,
      ),
  );
}
