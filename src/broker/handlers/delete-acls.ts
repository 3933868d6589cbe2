import { AclOperation } from '../../metadata/acl/acl-binding.js';
import { deleteAcls } from '../../metadata/controller/acls.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DeleteAclsRequest } from '../../protocol/generated/messages/delete-acls-request.js';
import { DeleteAclsResponse } from '../../protocol/generated/messages/delete-acls-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { submitOrFail } from '../metadata-write.js';

/**
 * DeleteAcls as Kafka's AclApis: ALTER on the cluster, SECURITY_DISABLED without an authorizer,
 * then per filter the ACLs it matched and removed (RemoveAccessControlEntryRecords).
 */
export function deleteAclsHandler(s: BrokerServices) {
  return defineHandler(DeleteAclsRequest, DeleteAclsResponse, { min: 0, max: 3 }, async (req, ctx) => {
    const failAll = (errorCode: number, errorMessage: string) =>
      req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] }));
    if (!s.authorizer.authorizeCluster(ctx.connection, AclOperation.ALTER)) {
      return {
        throttleTimeMs: 0,
        filterResults: failAll(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.'),
      };
    }
    if (!s.authorizer.enabled) {
      return {
        throttleTimeMs: 0,
        filterResults: failAll(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.'),
      };
    }
    const filters = req.filters.map((f) => ({
      resourceType: f.resourceTypeFilter,
      resourceName: f.resourceNameFilter,
      patternType: f.patternTypeFilter,
      principal: f.principalFilter,
      host: f.hostFilter,
      operation: f.operation,
      permissionType: f.permissionType,
    }));
    const results = await submitOrFail(
      s,
      (image) => deleteAcls(image, filters),
      (errorCode, errorMessage) => filters.map(() => ({ errorCode, errorMessage, deleted: [] })),
    );
    return {
      throttleTimeMs: 0,
      filterResults: results.map((r) => ({
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        matchingAcls: r.deleted.map((acl) => ({
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          resourceType: acl.resourceType,
          resourceName: acl.resourceName,
          patternType: acl.patternType,
          principal: acl.principal,
          host: acl.host,
          operation: acl.operation,
          permissionType: acl.permissionType,
        })),
      })),
    };
  });
}
