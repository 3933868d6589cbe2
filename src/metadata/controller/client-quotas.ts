import { ErrorCode } from '../../protocol/error-codes.js';
import {
  CLIENT_QUOTA_KEYS,
  type ClientQuotaEntity,
  clientQuotaEntityData,
  clientQuotaEntityKey,
  isClientQuotaKey,
  QuotaEntityType,
} from '../client-quota-entity.js';
import type { MetadataImage } from '../metadata-image.js';
import type { ControllerResult, MetadataRecord } from './metadata-record.js';

type EntityData = { entityType: string; entityName: string | null };

export interface ClientQuotaAlterationEntry {
  readonly entity: readonly EntityData[];
  readonly ops: readonly { key: string; value: number; remove: boolean }[];
}

export interface ClientQuotaAlterationResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly entity: EntityData[];
}

class QuotaRequestError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string): QuotaRequestError =>
  new QuotaRequestError(ErrorCode.INVALID_REQUEST, message);

/** Kafka's ClientQuotaEntity.toString, for messages: "user alice, client-id app1", "default user". */
function describeEntity(entity: readonly EntityData[]): string {
  return entity
    .map((e) => (e.entityName === null ? `default ${e.entityType}` : `${e.entityType} ${e.entityName}`))
    .join(', ');
}

/** The entity of a request, checked as ClientQuotaControlManager.validateEntity does. */
function validatedEntity(entity: readonly EntityData[]): ClientQuotaEntity {
  if (entity.length === 0) throw invalid('Invalid empty client quota entity');
  const seen = new Set<string>();
  for (const { entityType, entityName } of entity) {
    if (seen.has(entityType))
      throw invalid(`Invalid client quota entity, duplicate entity entry ${entityType}`);
    seen.add(entityType);
    if (entityType === QuotaEntityType.IP) {
      // Kafka's IP entities carry connection_creation_rate, which Strom does not enforce: refused
      // rather than stored and silently ignored.
      throw invalid('IP quota entities (connection_creation_rate) are not supported by this broker');
    }
    if (entityType !== QuotaEntityType.USER && entityType !== QuotaEntityType.CLIENT_ID) {
      throw invalid(`Unhandled client quota entity type: ${entityType}`);
    }
    if (entityName === '') throw invalid(`Empty ${entityType} not supported`);
  }
  let user: string | null | undefined;
  let clientId: string | null | undefined;
  for (const e of entity) {
    if (e.entityType === QuotaEntityType.USER) user = e.entityName;
    else clientId = e.entityName;
  }
  return { ...(user !== undefined && { user }), ...(clientId !== undefined && { clientId }) };
}

/** ClientQuotaControlManager.validateQuotaKeyValue for the user and client-id keys. */
function checkQuotaValue(key: string, value: number): void {
  if (!isClientQuotaKey(key)) throw invalid(`Invalid configuration key ${key}`);
  if (!(value > 0)) throw invalid(`Quota ${key} must be greater than 0`);
  if (CLIENT_QUOTA_KEYS[key] === 'long') {
    if (value > 2 ** 63 - 1) throw invalid(`Proposed value for ${key} is too large for a LONG.`);
    if (Math.abs(value % 1) > 1e-6) throw invalid(`${key} cannot be a fractional value.`);
  }
}

/**
 * AlterClientQuotas as Kafka's ClientQuotaControlManager: each entity's alterations succeed or fail
 * together, a value is written as a ClientQuotaRecord only when it changes, and a removal only when
 * the key is set. With `validateOnly` the results are computed and nothing is written.
 */
export function alterClientQuotas(
  image: MetadataImage,
  entries: readonly ClientQuotaAlterationEntry[],
  validateOnly: boolean,
): ControllerResult<ClientQuotaAlterationResult[]> {
  const results = new Map<string, ClientQuotaAlterationResult>();
  const recordsOf = new Map<string, MetadataRecord[]>();
  for (const entry of entries) {
    const entityData = entry.entity.map((e) => ({ entityType: e.entityType, entityName: e.entityName }));
    const resultKey = JSON.stringify(
      [...entityData].sort((a, b) => a.entityType.localeCompare(b.entityType)),
    );
    const fail = (err: QuotaRequestError): void => {
      results.set(resultKey, { errorCode: err.errorCode, errorMessage: err.message, entity: entityData });
      recordsOf.delete(resultKey);
    };
    if (results.has(resultKey)) {
      fail(invalid(`Ignoring duplicate entity ${describeEntity(entityData)}`));
      continue;
    }
    try {
      const keys = new Set<string>();
      for (const op of entry.ops) {
        if (keys.has(op.key)) {
          throw invalid(
            `Duplicate quota key ${op.key} not updating quota for this entity ${describeEntity(entityData)}`,
          );
        }
        keys.add(op.key);
      }
      const entity = validatedEntity(entityData);
      const current = image.clientQuotas.get(clientQuotaEntityKey(entity))?.values;
      const records: MetadataRecord[] = [];
      for (const op of entry.ops) {
        if (op.remove) {
          if (current?.has(op.key)) {
            records.push({
              type: 'ClientQuotaRecord',
              data: { entity: clientQuotaEntityData(entity), key: op.key, value: 0, remove: true },
            });
          }
          continue;
        }
        checkQuotaValue(op.key, op.value);
        if (current?.get(op.key) !== op.value) {
          records.push({
            type: 'ClientQuotaRecord',
            data: { entity: clientQuotaEntityData(entity), key: op.key, value: op.value, remove: false },
          });
        }
      }
      results.set(resultKey, { errorCode: ErrorCode.NONE, errorMessage: null, entity: entityData });
      recordsOf.set(resultKey, records);
    } catch (err) {
      if (!(err instanceof QuotaRequestError)) throw err;
      fail(err);
    }
  }
  return {
    records: validateOnly ? [] : [...recordsOf.values()].flat(),
    response: [...results.values()],
  };
}

/** DescribeClientQuotasRequest's match types. */
export const QuotaMatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

export interface ClientQuotaFilterComponent {
  readonly entityType: string;
  readonly matchType: number;
  readonly match: string | null;
}

export interface ClientQuotaDescription {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly entries: { entity: EntityData[]; values: { key: string; value: number }[] }[] | null;
}

/**
 * DescribeClientQuotas as Kafka's ClientQuotasImage.describe: the filter's components are
 * checked (INVALID_REQUEST, or UNSUPPORTED_VERSION for an unknown entity type), then every entity
 * that has each exactly matched type with that name (null: the default), each "specified" type
 * with any name, and with `strict` no other type.
 */
export function describeClientQuotas(
  image: MetadataImage,
  components: readonly ClientQuotaFilterComponent[],
  strict: boolean,
): ClientQuotaDescription {
  const exact = new Map<string, string | null>();
  const specified = new Set<string>();
  try {
    for (const c of components) {
      if (c.entityType === '') throw invalid('Invalid empty entity type.');
      if (exact.has(c.entityType) || specified.has(c.entityType)) {
        throw invalid(`Entity type ${c.entityType} cannot appear more than once in the filter.`);
      }
      if (
        c.entityType !== QuotaEntityType.IP &&
        c.entityType !== QuotaEntityType.USER &&
        c.entityType !== QuotaEntityType.CLIENT_ID
      ) {
        throw new QuotaRequestError(ErrorCode.UNSUPPORTED_VERSION, `Unsupported entity type ${c.entityType}`);
      }
      if (c.matchType === QuotaMatchType.EXACT) {
        if (c.match === null)
          throw invalid('Request specified MATCH_TYPE_EXACT, but set match string to null.');
        exact.set(c.entityType, c.match);
      } else if (c.matchType === QuotaMatchType.DEFAULT) {
        if (c.match !== null)
          throw invalid('Request specified MATCH_TYPE_DEFAULT, but also specified a match string.');
        exact.set(c.entityType, null);
      } else if (c.matchType === QuotaMatchType.SPECIFIED) {
        if (c.match !== null) {
          throw invalid('Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.');
        }
        specified.add(c.entityType);
      } else throw invalid(`Unknown match type ${c.matchType}`);
    }
    const has = (t: string): boolean => exact.has(t) || specified.has(t);
    if (has(QuotaEntityType.IP) && (has(QuotaEntityType.USER) || has(QuotaEntityType.CLIENT_ID))) {
      throw invalid(
        'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.',
      );
    }
  } catch (err) {
    if (!(err instanceof QuotaRequestError)) throw err;
    return { errorCode: err.errorCode, errorMessage: err.message, entries: null };
  }
  const entries: NonNullable<ClientQuotaDescription['entries']> = [];
  for (const { entity, values } of image.clientQuotas.values()) {
    const names = new Map<string, string | null>();
    if (entity.user !== undefined) names.set(QuotaEntityType.USER, entity.user);
    if (entity.clientId !== undefined) names.set(QuotaEntityType.CLIENT_ID, entity.clientId);
    if (strict && names.size !== exact.size + specified.size) continue;
    let matches = true;
    for (const [type, name] of exact) if (!names.has(type) || names.get(type) !== name) matches = false;
    for (const type of specified) if (!names.has(type)) matches = false;
    if (!matches) continue;
    entries.push({
      entity: clientQuotaEntityData(entity),
      values: [...values].map(([key, value]) => ({ key, value })),
    });
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, entries };
}
