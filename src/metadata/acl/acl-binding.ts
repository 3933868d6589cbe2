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

/**
 * ACLs as the metadata log holds them (Kafka's codes, src/protocol/acl-codes.ts), with the
 * matching rules of ResourcePatternFilter and AccessControlEntryFilter.
 */
export {
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
  operationName,
  patternTypeName,
  permissionTypeName,
  resourceTypeName,
};

/** The one name of the CLUSTER resource (Kafka's ResourcePattern / Resource.CLUSTER_NAME). */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** A LITERAL resource name, principal or host that matches every one (ResourcePattern.WILDCARD_RESOURCE). */
export const WILDCARD = '*';
export const WILDCARD_PRINCIPAL = 'User:*';

/** One ACL: a resource pattern and an access control entry (Kafka's AclBinding / StandardAcl). */
export interface AclBinding {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

/** A filter over ACLs (Kafka's AclBindingFilter); null names, principals and hosts match any. */
export interface AclBindingFilter {
  readonly resourceType: number;
  readonly resourceName: string | null;
  readonly patternType: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: number;
  readonly permissionType: number;
}

const isKnown = (codes: Record<string, number>, code: number): boolean =>
  Object.values(codes).includes(code) && code !== 0;

/** Kafka's AclBindingFilter.findIndefiniteField: a filter with an UNKNOWN code matches nothing defined. */
export function filterIsUnknown(f: AclBindingFilter): boolean {
  return (
    !isKnown(AclResourceType, f.resourceType) ||
    !isKnown(AclPatternType, f.patternType) ||
    !isKnown(AclOperation, f.operation) ||
    !isKnown(AclPermissionType, f.permissionType)
  );
}

/**
 * Why a new ACL is refused (Kafka's AclControlManager.validateNewAcl and the broker's AclApis
 * checks), or null when it is acceptable.
 */
export function invalidAclReason(b: AclBinding): string | null {
  if (!isKnown(AclResourceType, b.resourceType) || b.resourceType === AclResourceType.ANY) {
    return `Invalid resourceType ${resourceTypeName(b.resourceType)}`;
  }
  if (b.patternType !== AclPatternType.LITERAL && b.patternType !== AclPatternType.PREFIXED) {
    return `Invalid patternType ${patternTypeName(b.patternType)}`;
  }
  if (!isKnown(AclOperation, b.operation) || b.operation === AclOperation.ANY) {
    return `Invalid operation ${operationName(b.operation)}`;
  }
  if (b.permissionType !== AclPermissionType.ALLOW && b.permissionType !== AclPermissionType.DENY) {
    return `Invalid permissionType ${permissionTypeName(b.permissionType)}`;
  }
  if (b.resourceName === '') return 'Resource name should not be empty';
  if (b.resourceType === AclResourceType.CLUSTER && b.resourceName !== CLUSTER_RESOURCE_NAME) {
    return `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`;
  }
  // SecurityUtils.parseKafkaPrincipal: "type:name".
  const colon = b.principal.indexOf(':');
  if (colon <= 0)
    return `Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`;
  return null;
}

/** ResourcePatternFilter.matches and AccessControlEntryFilter.matches. */
export function filterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.resourceType !== AclResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (
    f.patternType !== AclPatternType.ANY &&
    f.patternType !== AclPatternType.MATCH &&
    f.patternType !== b.patternType
  ) {
    return false;
  }
  if (f.resourceName !== null) {
    if (f.patternType === AclPatternType.ANY || f.patternType === b.patternType) {
      if (f.resourceName !== b.resourceName) return false;
    } else if (b.patternType === AclPatternType.LITERAL) {
      if (f.resourceName !== b.resourceName && b.resourceName !== WILDCARD) return false;
    } else if (b.patternType === AclPatternType.PREFIXED) {
      if (!f.resourceName.startsWith(b.resourceName)) return false;
    } else {
      return false;
    }
  }
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false;
  if (f.permissionType !== AclPermissionType.ANY && f.permissionType !== b.permissionType) return false;
  return true;
}

/** The identity of an ACL's content: two ACLs with equal keys are one ACL (Kafka's StandardAcl.equals). */
export function aclKey(b: AclBinding): string {
  return [
    b.resourceType,
    b.patternType,
    b.operation,
    b.permissionType,
    b.resourceName,
    b.principal,
    b.host,
  ].join('\u0000');
}
