/**
 * Kafka's ACL codes as the wire carries them: the bytes of org.apache.kafka.common.resource.ResourceType
 * and PatternType, and of org.apache.kafka.common.acl.AclOperation and AclPermissionType. Shared by
 * the broker's authorizer and the admin client.
 */

export const AclResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;

export const AclPatternType = {
  UNKNOWN: 0,
  ANY: 1,
  MATCH: 2,
  LITERAL: 3,
  PREFIXED: 4,
} as const;

export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;

export const AclPermissionType = {
  UNKNOWN: 0,
  ANY: 1,
  DENY: 2,
  ALLOW: 3,
} as const;

function nameOf(codes: Record<string, number>, code: number): string {
  for (const [name, c] of Object.entries(codes)) if (c === code) return name;
  return 'UNKNOWN';
}

export const resourceTypeName = (code: number): string => nameOf(AclResourceType, code);
export const patternTypeName = (code: number): string => nameOf(AclPatternType, code);
export const operationName = (code: number): string => nameOf(AclOperation, code);
export const permissionTypeName = (code: number): string => nameOf(AclPermissionType, code);
