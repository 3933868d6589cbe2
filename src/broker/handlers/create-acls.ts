import { AclOperation } from '../../metadata/acl/acl-binding.js';
import { createAcls } from '../../metadata/controller/acls.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { CreateAclsRequest } from '../../protocol/generated/messages/create-acls-request.js';
import { CreateAclsResponse } from '../../protocol/generated/messages/create-acls-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { submitOrFail } from '../metadata-write.js';

/**
 * CreateAcls as Kafka's AclApis: ALTER on the cluster, SECURITY_DISABLED without an authorizer,
 * then one result per ACL in request order (AccessControlEntryRecords in the metadata log).
 */
export function createAclsHandler(s: BrokerServices) {
  return defineHandler(CreateAclsRequest, CreateAclsResponse, { min: 0, max: 3 }, async (req, ctx) => {
    const failAll = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      results: req.creations.map(() => ({ errorCode, errorMessage })),
    });
    if (!s.authorizer.authorizeCluster(ctx.connection, AclOperation.ALTER)) {
      return failAll(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    }
    if (!s.authorizer.enabled) return failAll(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.');
    const bindings = req.creations.map((c) => ({
      resourceType: c.resourceType,
      resourceName: c.resourceName,
      patternType: c.resourcePatternType,
      principal: c.principal,
      host: c.host,
      operation: c.operation,
      permissionType: c.permissionType,
    }));
    const results = await submitOrFail(
      s,
      (image) => createAcls(image, bindings, s.random),
      (errorCode, errorMessage) => bindings.map(() => ({ errorCode, errorMessage })),
    );
    return { throttleTimeMs: 0, results };
  });
}
