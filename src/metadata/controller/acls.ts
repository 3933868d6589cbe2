import { type Random, randomUuid } from '../../common/random.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import {
  type AclBinding,
  type AclBindingFilter,
  aclKey,
  filterIsUnknown,
  invalidAclReason,
} from '../acl/acl-binding.js';
import type { StoredAcl } from '../acl/acl-index.js';
import type { MetadataImage } from '../metadata-image.js';
import type { ControllerResult, MetadataRecord } from './metadata-record.js';

/** Kafka's QuorumController MAX_RECORDS_PER_USER_OP: one ACL operation writes at most this many records. */
export const MAX_ACL_RECORDS_PER_OPERATION = 10_000;

export interface AclCreationResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface AclDeletionResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly deleted: StoredAcl[];
}

/**
 * CreateAcls as Kafka's AclControlManager.createAcls: each ACL is validated on its own (INVALID_REQUEST
 * for an unknown type, a pattern other than LITERAL or PREFIXED, an empty name...); an ACL that
 * already exists succeeds without a record; each new one is an AccessControlEntryRecord under a
 * fresh id.
 */
export function createAcls(
  image: MetadataImage,
  creations: readonly AclBinding[],
  random: Random,
): ControllerResult<AclCreationResult[]> {
  const records: MetadataRecord[] = [];
  const added = new Set<string>();
  const ids = new Set<string>();
  const results = creations.map((b): AclCreationResult => {
    const invalid = invalidAclReason(b);
    if (invalid !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: invalid };
    const key = aclKey(b);
    if (image.acls.find(b) !== undefined || added.has(key))
      return { errorCode: ErrorCode.NONE, errorMessage: null };
    if (records.length >= MAX_ACL_RECORDS_PER_OPERATION) {
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Cannot create more than ${MAX_ACL_RECORDS_PER_OPERATION} ACLs in a single operation`,
      };
    }
    let id: string;
    do id = randomUuid(random);
    while (image.acls.get(id) !== undefined || ids.has(id));
    ids.add(id);
    added.add(key);
    records.push({
      type: 'AccessControlEntryRecord',
      data: {
        id,
        resourceType: b.resourceType,
        resourceName: b.resourceName,
        patternType: b.patternType,
        principal: b.principal,
        host: b.host,
        operation: b.operation,
        permissionType: b.permissionType,
      },
    });
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  });
  return { records, response: results };
}

/**
 * DeleteAcls as Kafka's AclControlManager.deleteAcls: per filter the ACLs it matches, each removed
 * once however many filters match it (RemoveAccessControlEntryRecord); a filter with an UNKNOWN
 * field fails with INVALID_REQUEST. Too many removals for one operation fail the whole request.
 */
export function deleteAcls(
  image: MetadataImage,
  filters: readonly AclBindingFilter[],
): ControllerResult<AclDeletionResult[]> {
  const removed = new Set<string>();
  const results = filters.map((f): AclDeletionResult => {
    if (filterIsUnknown(f)) {
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown filter field.', deleted: [] };
    }
    const deleted = image.acls.matching(f);
    for (const acl of deleted) removed.add(acl.id);
    return { errorCode: ErrorCode.NONE, errorMessage: null, deleted };
  });
  if (removed.size > MAX_ACL_RECORDS_PER_OPERATION) {
    const errorMessage = `Cannot remove more than ${MAX_ACL_RECORDS_PER_OPERATION} acls in a single delete operation.`;
    return {
      records: [],
      response: filters.map(() => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage, deleted: [] })),
    };
  }
  const records: MetadataRecord[] = [...removed].map((id) => ({
    type: 'RemoveAccessControlEntryRecord',
    data: { id },
  }));
  return { records, response: results };
}
