import {
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
  operationName,
  patternTypeName,
  permissionTypeName,
  resourceTypeName,
} from '../../protocol/acl-codes.js';
import { ClientError, checkErrorCode } from '../client-error.js';
import { Apis } from '../network/apis.js';
import type { Cluster } from '../network/cluster.js';

export type AclResourceTypeName = Exclude<keyof typeof AclResourceType, 'UNKNOWN'>;
export type AclPatternTypeName = Exclude<keyof typeof AclPatternType, 'UNKNOWN'>;
export type AclOperationName = Exclude<keyof typeof AclOperation, 'UNKNOWN'>;
export type AclPermissionTypeName = Exclude<keyof typeof AclPermissionType, 'UNKNOWN'>;

/** One ACL, as Java's AclBinding: a resource pattern and an access control entry. */
export interface AclBinding {
  readonly resourceType: AclResourceTypeName;
  readonly resourceName: string;
  /** LITERAL (the default; `*` for every name) or PREFIXED. */
  readonly patternType?: AclPatternTypeName;
  /** `User:alice`, or `User:*` for everyone. */
  readonly principal: string;
  /** The client IP, or `*` (the default) for any. */
  readonly host?: string;
  readonly operation: AclOperationName;
  readonly permissionType: AclPermissionTypeName;
}

/** Which ACLs (Java's AclBindingFilter): an omitted field matches any; MATCH finds the patterns that apply to a name. */
export interface AclBindingFilter {
  readonly resourceType?: AclResourceTypeName;
  readonly resourceName?: string | null;
  readonly patternType?: AclPatternTypeName;
  readonly principal?: string | null;
  readonly host?: string | null;
  readonly operation?: AclOperationName;
  readonly permissionType?: AclPermissionTypeName;
}

export interface AclCreationResult {
  readonly binding: AclBinding;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface AclDeletionResult {
  readonly filter: AclBindingFilter;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly deleted: AclBinding[];
}

function code<T extends Record<string, number>>(
  codes: T,
  name: string | undefined,
  fallback: keyof T,
  what: string,
): number {
  const key = (name ?? fallback) as string;
  const c = codes[key];
  if (c === undefined || key === 'UNKNOWN')
    throw new ClientError('INVALID_ARGUMENT', `unknown ACL ${what} ${key}`);
  return c;
}

function binding(b: {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}): AclBinding {
  return {
    resourceType: resourceTypeName(b.resourceType) as AclResourceTypeName,
    resourceName: b.resourceName,
    patternType: patternTypeName(b.patternType) as AclPatternTypeName,
    principal: b.principal,
    host: b.host,
    operation: operationName(b.operation) as AclOperationName,
    permissionType: permissionTypeName(b.permissionType) as AclPermissionTypeName,
  };
}

function wireFilter(f: AclBindingFilter) {
  return {
    resourceTypeFilter: code(AclResourceType, f.resourceType, 'ANY', 'resource type'),
    resourceNameFilter: f.resourceName ?? null,
    patternTypeFilter: code(AclPatternType, f.patternType, 'ANY', 'pattern type'),
    principalFilter: f.principal ?? null,
    hostFilter: f.host ?? null,
    operation: code(AclOperation, f.operation, 'ANY', 'operation'),
    permissionType: code(AclPermissionType, f.permissionType, 'ANY', 'permission type'),
  };
}

/** CreateAcls, as Java's Admin.createAcls: one result per ACL (check `errorCode`, 0 when created or already there). */
export async function createAcls(
  cluster: Cluster,
  bindings: readonly AclBinding[],
  signal?: AbortSignal,
): Promise<AclCreationResult[]> {
  const creations = bindings.map((b) => ({
    resourceType: code(AclResourceType, b.resourceType, 'UNKNOWN', 'resource type'),
    resourceName: b.resourceName,
    resourcePatternType: code(AclPatternType, b.patternType, 'LITERAL', 'pattern type'),
    principal: b.principal,
    host: b.host ?? '*',
    operation: code(AclOperation, b.operation, 'UNKNOWN', 'operation'),
    permissionType: code(AclPermissionType, b.permissionType, 'UNKNOWN', 'permission type'),
  }));
  const conn = await cluster.anyConnection(signal);
  const res = await conn.request(Apis.CreateAcls, { creations }, signal ? { signal } : {});
  return res.results.map((r, i) => ({
    binding: bindings[i]!,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
  }));
}

/** DescribeAcls, as Java's Admin.describeAcls: the ACLs the filter matches (KafkaError SECURITY_DISABLED without an authorizer). */
export async function describeAcls(
  cluster: Cluster,
  filter: AclBindingFilter = {},
  signal?: AbortSignal,
): Promise<AclBinding[]> {
  const conn = await cluster.anyConnection(signal);
  const res = await conn.request(Apis.DescribeAcls, wireFilter(filter), signal ? { signal } : {});
  checkErrorCode(res.errorCode, 'DescribeAcls', res.errorMessage);
  return res.resources.flatMap((r) =>
    r.acls.map((a) =>
      binding({
        ...a,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        patternType: r.patternType,
      }),
    ),
  );
}

/** DeleteAcls, as Java's Admin.deleteAcls: per filter the ACLs it deleted, or its error. */
export async function deleteAcls(
  cluster: Cluster,
  filters: readonly AclBindingFilter[],
  signal?: AbortSignal,
): Promise<AclDeletionResult[]> {
  const conn = await cluster.anyConnection(signal);
  const res = await conn.request(
    Apis.DeleteAcls,
    { filters: filters.map(wireFilter) },
    signal ? { signal } : {},
  );
  return res.filterResults.map((r, i) => ({
    filter: filters[i]!,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    deleted: r.matchingAcls.map(binding),
  }));
}
