/**
 * A client quota entity as Kafka's ClientQuotaEntity: a user, a client id, or both, each either a
 * name or the default (`<default>` in kafka-configs.sh, a null name on the wire and in
 * ClientQuotaRecord). A type absent from the entity is `undefined`; the default is `null`.
 */
export interface ClientQuotaEntity {
  readonly user?: string | null;
  readonly clientId?: string | null;
}

/** Kafka's entity type names (ClientQuotaEntity.USER, CLIENT_ID, IP). */
export const QuotaEntityType = { USER: 'user', CLIENT_ID: 'client-id', IP: 'ip' } as const;

/** Kafka's quota keys for user and client-id entities (QuotaConfig.userAndClientQuotaConfigs). */
export const CLIENT_QUOTA_KEYS = {
  producer_byte_rate: 'long',
  consumer_byte_rate: 'long',
  request_percentage: 'double',
  controller_mutation_rate: 'double',
} as const;
export type ClientQuotaKey = keyof typeof CLIENT_QUOTA_KEYS;

export function isClientQuotaKey(key: string): key is ClientQuotaKey {
  return Object.hasOwn(CLIENT_QUOTA_KEYS, key);
}

/** One entity's quotas as the image holds them. */
export interface ClientQuotaImageEntry {
  readonly entity: ClientQuotaEntity;
  readonly values: Map<string, number>;
}

/** A map key unique to each entity: absent, default and named differ for each type. */
export function clientQuotaEntityKey(e: ClientQuotaEntity): string {
  return JSON.stringify([e.user === undefined ? 0 : e.user, e.clientId === undefined ? 0 : e.clientId]);
}

/** The entity of ClientQuotaRecord's (or a request's) entity list; types other than user and client-id are kept out. */
export function clientQuotaEntityOf(
  data: readonly { entityType: string; entityName: string | null }[],
): ClientQuotaEntity {
  let user: string | null | undefined;
  let clientId: string | null | undefined;
  for (const d of data) {
    if (d.entityType === QuotaEntityType.USER) user = d.entityName;
    else if (d.entityType === QuotaEntityType.CLIENT_ID) clientId = d.entityName;
  }
  return { ...(user !== undefined && { user }), ...(clientId !== undefined && { clientId }) };
}

/** The entity list of ClientQuotaRecord and of the quota APIs: user first, then client-id. */
export function clientQuotaEntityData(
  e: ClientQuotaEntity,
): { entityType: string; entityName: string | null }[] {
  const out: { entityType: string; entityName: string | null }[] = [];
  if (e.user !== undefined) out.push({ entityType: QuotaEntityType.USER, entityName: e.user });
  if (e.clientId !== undefined) out.push({ entityType: QuotaEntityType.CLIENT_ID, entityName: e.clientId });
  return out;
}
