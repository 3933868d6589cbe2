import { type ConfigDef, formatConfigValue, InvalidConfigError } from '../../common/config-def.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ConfigResourceType, type MetadataImage } from '../metadata-image.js';
import { TOPIC_CONFIG_DEF } from '../topic-config-def.js';
import type { ControllerResult, MetadataRecord } from './metadata-record.js';

/** IncrementalAlterConfigs operations (KIP-339). */
export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigResourceChange {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly configs: readonly { readonly name: string; readonly value: string | null; readonly op: number }[];
}

export interface ConfigResourceOutcome {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface BrokerConfigRules {
  readonly def: ConfigDef;
  /** Whether a broker key may change at runtime (the rest need a restart). */
  isDynamic(key: string): boolean;
  readonly nodeId: number;
}

class ResourceError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * IncrementalAlterConfigs (`incremental`) and the older AlterConfigs, which replaces a resource's
 * whole set of overrides. Validates every change of a resource before emitting any of its records.
 */
export function alterConfigs(
  image: MetadataImage,
  resources: readonly ConfigResourceChange[],
  incremental: boolean,
  validateOnly: boolean,
  broker: BrokerConfigRules,
): ControllerResult<ConfigResourceOutcome[]> {
  const records: MetadataRecord[] = [];
  const response: ConfigResourceOutcome[] = [];
  const seen = new Map<string, number>();
  for (const r of resources) {
    const k = `${r.resourceType}:${r.resourceName}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  for (const r of resources) {
    const outcome = (errorCode: number, errorMessage: string | null): void => {
      response.push({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode, errorMessage });
    };
    try {
      if (seen.get(`${r.resourceType}:${r.resourceName}`)! > 1) {
        throw new ResourceError(ErrorCode.INVALID_REQUEST, 'Duplicate resource in request.');
      }
      const planned = planResource(image, r, incremental, broker);
      if (!validateOnly) records.push(...planned);
      outcome(ErrorCode.NONE, null);
    } catch (err) {
      if (err instanceof ResourceError) outcome(err.errorCode, err.message);
      else if (err instanceof InvalidConfigError) outcome(ErrorCode.INVALID_CONFIG, err.message);
      else throw err;
    }
  }
  return { records, response };
}

function planResource(
  image: MetadataImage,
  r: ConfigResourceChange,
  incremental: boolean,
  broker: BrokerConfigRules,
): MetadataRecord[] {
  let def: ConfigDef;
  if (r.resourceType === ConfigResourceType.TOPIC) {
    if (!image.topic(r.resourceName)) {
      throw new ResourceError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        `The topic '${r.resourceName}' does not exist.`,
      );
    }
    def = TOPIC_CONFIG_DEF;
  } else if (r.resourceType === ConfigResourceType.BROKER) {
    if (
      r.resourceName !== '' &&
      r.resourceName !== String(broker.nodeId) &&
      !image.brokers.has(Number(r.resourceName))
    ) {
      throw new ResourceError(ErrorCode.INVALID_REQUEST, `Unexpected broker id '${r.resourceName}'.`);
    }
    def = broker.def;
  } else {
    throw new ResourceError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${r.resourceType}.`);
  }
  const current = new Map(image.configsOf(r.resourceType, r.resourceName));
  const next = incremental ? new Map(current) : new Map<string, string>();
  const notDynamic: string[] = [];
  for (const c of r.configs) {
    const key = def.get(c.name);
    if (!key) {
      const what = r.resourceType === ConfigResourceType.TOPIC ? 'topic' : 'broker';
      throw new ResourceError(ErrorCode.INVALID_CONFIG, `Unknown ${what} config name: ${c.name}`);
    }
    if (r.resourceType === ConfigResourceType.BROKER && !broker.isDynamic(c.name)) notDynamic.push(c.name);
    const op = incremental ? c.op : c.value === null ? AlterConfigOp.DELETE : AlterConfigOp.SET;
    switch (op) {
      case AlterConfigOp.SET:
        if (c.value === null)
          throw new ResourceError(ErrorCode.INVALID_REQUEST, `Null value not supported for ${c.name}`);
        def.parseOne(c.name, c.value);
        next.set(c.name, c.value);
        break;
      case AlterConfigOp.DELETE:
        next.delete(c.name);
        break;
      case AlterConfigOp.APPEND:
      case AlterConfigOp.SUBTRACT: {
        if (key.type !== 'list') {
          throw new ResourceError(
            ErrorCode.INVALID_REQUEST,
            `Config ${c.name} is not a list: it cannot be appended to or subtracted from.`,
          );
        }
        const base = next.get(c.name) ?? formatConfigValue(key.defaultValue ?? null) ?? '';
        const items = base === '' ? [] : base.split(',').map((s) => s.trim());
        const change = (c.value ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
        const result =
          op === AlterConfigOp.APPEND
            ? [...items, ...change.filter((x) => !items.includes(x))]
            : items.filter((x) => !change.includes(x));
        const joined = result.join(',');
        def.parseOne(c.name, joined);
        next.set(c.name, joined);
        break;
      }
      default:
        throw new ResourceError(ErrorCode.INVALID_REQUEST, `Unknown config operation ${op}.`);
    }
  }
  if (notDynamic.length > 0) {
    throw new ResourceError(
      ErrorCode.INVALID_REQUEST,
      `Cannot update these configs dynamically: ${notDynamic.join(', ')}`,
    );
  }
  const out: MetadataRecord[] = [];
  const base = { resourceType: r.resourceType, resourceName: r.resourceName };
  for (const [name, value] of next) {
    if (current.get(name) !== value) out.push({ type: 'ConfigRecord', data: { ...base, name, value } });
  }
  for (const name of current.keys()) {
    if (!next.has(name)) out.push({ type: 'ConfigRecord', data: { ...base, name, value: null } });
  }
  return out;
}
