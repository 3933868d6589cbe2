import {
  type Admin,
  ClientError,
  type ClientQuotaEntity,
  type ClientQuotaFilterComponent,
} from '../client/index.js';
import { writeOut } from './command-action.js';
import { UsageError } from './usage-error.js';

/** Kafka's QuotaConfig.isClientOrUserQuotaConfig. */
const QUOTA_KEYS: ReadonlySet<string> = new Set([
  'producer_byte_rate',
  'consumer_byte_rate',
  'request_percentage',
  'controller_mutation_rate',
]);

export function isQuotaKey(key: string): boolean {
  return QUOTA_KEYS.has(key);
}

/** One entity of the command line: `--entity-type users|clients` and its name ('' for --entity-default, undefined for none). */
export interface QuotaEntityArg {
  readonly type: 'user' | 'client-id';
  readonly name: string | undefined;
}

/** A value as Java's Double.toString prints it, as kafka-configs.sh shows quotas: 1024.0, 12.5, 1.048576E7. */
export function javaDouble(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  const abs = Math.abs(v);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) return Number.isInteger(v) ? `${v}.0` : String(v);
  const [mantissa, exponent] = v.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** "user-principal 'alice', the default client-id", as ConfigCommand.describeQuotaConfigs names entities. */
function entityText(entity: ClientQuotaEntity): string {
  const part = (type: string, label: string): string[] => {
    if (!Object.hasOwn(entity, type)) return [];
    const name = entity[type];
    return [name === null || name === undefined ? `the default ${label}` : `${label} '${name}'`];
  };
  return [...part('user', 'user-principal'), ...part('client-id', 'client-id'), ...part('ip', 'ip')].join(
    ', ',
  );
}

function components(entities: readonly QuotaEntityArg[]): ClientQuotaFilterComponent[] {
  return entities.map(({ type, name }) => {
    if (name === undefined) return { entityType: type, match: 'specified' };
    if (name === '') return { entityType: type, match: 'default' };
    return { entityType: type, match: 'exact', name };
  });
}

/**
 * `--describe --entity-type users|clients`: the quotas of the entities made of exactly these types
 * (ClientQuotaFilter.containsOnly), in kafka-configs.sh's words.
 */
export async function describeClientQuotaConfigs(
  admin: Admin,
  entities: readonly QuotaEntityArg[],
): Promise<void> {
  const described = await admin.describeClientQuotas({ components: components(entities), strict: true });
  let out = '';
  for (const d of described) {
    const values = Object.entries(d.values)
      .map(([k, v]) => `${k}=${javaDouble(v)}`)
      .join(', ');
    out += `Quota configs for ${entityText(d.entity)} are ${values}\n`;
  }
  await writeOut(out);
}

/**
 * `--alter --entity-type users|clients --add-config producer_byte_rate=1048576 --delete-config k`:
 * one AlterClientQuotas of the entity (ConfigCommand.alterQuotaConfigs); deleting a key the entity
 * does not have is refused before anything is sent, as Kafka's command does.
 */
export async function alterClientQuotaConfigs(
  admin: Admin,
  entities: readonly QuotaEntityArg[],
  added: ReadonlyMap<string, string>,
  deleted: readonly string[],
): Promise<void> {
  if (entities.some((e) => e.name === undefined)) {
    throw new UsageError('Exactly one entity name must be specified for every entity type');
  }
  const current = await admin.describeClientQuotas({ components: components(entities), strict: true });
  const existing = new Set(Object.keys(current[0]?.values ?? {}));
  const invalid = deleted.filter((k) => !existing.has(k));
  if (invalid.length > 0)
    throw new ClientError('INVALID_ARGUMENT', `Invalid config(s): ${invalid.join(',')}`);
  const ops: { key: string; value: number | null }[] = [];
  for (const [key, text] of added) {
    const value = Number(text.trim());
    if (text.trim() === '' || Number.isNaN(value)) {
      throw new UsageError(`Cannot parse quota configuration value for ${key}: ${text}`);
    }
    ops.push({ key, value });
  }
  for (const key of deleted) ops.push({ key, value: null });
  const entity: Record<string, string | null> = {};
  for (const e of entities) entity[e.type] = e.name === '' ? null : (e.name ?? null);
  const [result] = await admin.alterClientQuotas([{ entity, ops }]);
  if (result !== undefined && result.errorCode !== 0) {
    throw new ClientError(
      'KAFKA_ERROR',
      result.errorMessage ?? `AlterClientQuotas failed with error ${result.errorCode}`,
      {
        kafkaCode: result.errorCode,
      },
    );
  }
}
