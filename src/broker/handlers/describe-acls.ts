import { AclOperation, filterIsUnknown } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DescribeAclsRequest } from '../../protocol/generated/messages/describe-acls-request.js';
import {
  DescribeAclsResponse,
  type DescribeAclsResponseDescribeAclsResource,
} from '../../protocol/generated/messages/describe-acls-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';

/**
 * DescribeAcls as Kafka's AclApis: DESCRIBE on the cluster, SECURITY_DISABLED without an authorizer,
 * then the ACLs the filter matches grouped by resource pattern (DescribeAclsResponse.aclsResources).
 */
export function describeAclsHandler(s: BrokerServices) {
  return defineHandler(DescribeAclsRequest, DescribeAclsResponse, { min: 0, max: 3 }, (req, ctx) => {
    const fail = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      resources: [],
    });
    if (!s.authorizer.authorizeCluster(ctx.connection, AclOperation.DESCRIBE)) {
      return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    }
    if (!s.authorizer.enabled)
      return fail(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    const filter = {
      resourceType: req.resourceTypeFilter,
      resourceName: req.resourceNameFilter,
      patternType: req.patternTypeFilter,
      principal: req.principalFilter,
      host: req.hostFilter,
      operation: req.operation,
      permissionType: req.permissionType,
    };
    if (filterIsUnknown(filter)) return fail(ErrorCode.INVALID_REQUEST, 'The filter has an unknown field.');
    const resources = new Map<string, DescribeAclsResponseDescribeAclsResource>();
    for (const acl of s.metadata.image.acls.matching(filter)) {
      const key = `${acl.resourceType}\u0000${acl.patternType}\u0000${acl.resourceName}`;
      let r = resources.get(key);
      if (!r) {
        r = {
          resourceType: acl.resourceType,
          resourceName: acl.resourceName,
          patternType: acl.patternType,
          acls: [],
        };
        resources.set(key, r);
      }
      r.acls.push({
        principal: acl.principal,
        host: acl.host,
        operation: acl.operation,
        permissionType: acl.permissionType,
      });
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      resources: [...resources.values()],
    };
  });
}
