import { ErrorCode } from '../../protocol/error-codes.js';
import { ClientError } from '../client-error.js';
import { Apis } from '../network/apis.js';
import type { Cluster } from '../network/cluster.js';

/**
 * A client quota entity as Java's ClientQuotaEntity: entity type ('user', 'client-id') to name,
 * null for the default (`<default>`), e.g. `{ user: 'alice', 'client-id': 'app1' }`.
 */
export type ClientQuotaEntity = Readonly<Record<string, string | null>>;

/** One component of a describe filter (Java's ClientQuotaFilterComponent). */
export type ClientQuotaFilterComponent =
  /** Entities with this name for the type (ofEntity). */
  | { readonly entityType: string; readonly match: 'exact'; readonly name: string }
  /** Entities with the default for the type (ofDefaultEntity). */
  | { readonly entityType: string; readonly match: 'default' }
  /** Entities with any name for the type (ofEntityType). */
  | { readonly entityType: string; readonly match: 'specified' };

export interface ClientQuotaFilter {
  readonly components: readonly ClientQuotaFilterComponent[];
  /** Only entities with no other types than the components' (Java's containsOnly); false: contains. */
  readonly strict?: boolean;
}

export interface ClientQuotaDescription {
  readonly entity: ClientQuotaEntity;
  /** Quota key to value, e.g. `{ producer_byte_rate: 1048576 }`. */
  readonly values: Readonly<Record<string, number>>;
}

/** A change to one entity's quotas: a value sets the key, null removes it (Java's ClientQuotaAlteration.Op). */
export interface ClientQuotaAlteration {
  readonly entity: ClientQuotaEntity;
  readonly ops: readonly { readonly key: string; readonly value: number | null }[];
}

export interface ClientQuotaAlterationResult {
  readonly entity: ClientQuotaEntity;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

const MATCH_TYPES = { exact: 0, default: 1, specified: 2 } as const;

function entityOf(data: readonly { entityType: string; entityName: string | null }[]): ClientQuotaEntity {
  const entity: Record<string, string | null> = {};
  for (const d of data) entity[d.entityType] = d.entityName;
  return entity;
}

/** DescribeClientQuotas (KIP-546): the quotas of the entities the filter matches (every entity for no components). */
export async function describeClientQuotas(
  cluster: Cluster,
  filter: ClientQuotaFilter,
  signal?: AbortSignal,
): Promise<ClientQuotaDescription[]> {
  const conn = await cluster.anyConnection(signal);
  const res = await conn.request(
    Apis.DescribeClientQuotas,
    {
      components: filter.components.map((c) => ({
        entityType: c.entityType,
        matchType: MATCH_TYPES[c.match],
        match: c.match === 'exact' ? c.name : null,
      })),
      strict: filter.strict ?? false,
    },
    signal ? { signal } : {},
  );
  if (res.errorCode !== ErrorCode.NONE) {
    throw new ClientError('KAFKA_ERROR', res.errorMessage ?? 'DescribeClientQuotas failed', {
      kafkaCode: res.errorCode,
    });
  }
  return (res.entries ?? []).map((e) => ({
    entity: entityOf(e.entity),
    values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
  }));
}

/**
 * AlterClientQuotas (KIP-546): each entity's changes are applied or refused together; one result
 * per entity, check `errorCode` (0 when applied). With `validateOnly` nothing is changed.
 */
export async function alterClientQuotas(
  cluster: Cluster,
  alterations: readonly ClientQuotaAlteration[],
  options: { validateOnly?: boolean; signal?: AbortSignal } = {},
): Promise<ClientQuotaAlterationResult[]> {
  const conn = await cluster.anyConnection(options.signal);
  const res = await conn.request(
    Apis.AlterClientQuotas,
    {
      entries: alterations.map((a) => ({
        entity: Object.entries(a.entity).map(([entityType, entityName]) => ({ entityType, entityName })),
        ops: a.ops.map((op) => ({ key: op.key, value: op.value ?? 0, remove: op.value === null })),
      })),
      validateOnly: options.validateOnly ?? false,
    },
    options.signal ? { signal: options.signal } : {},
  );
  return res.entries.map((e) => ({
    entity: entityOf(e.entity),
    errorCode: e.errorCode,
    errorMessage: e.errorMessage,
  }));
}
