import type { ConnectRecord } from '../api/connect-record.js';
import { ConfigError, ConnectConfigDef, type ConnectConfigKey } from '../config/connect-config-def.js';
import type { Plugins } from '../plugins/plugins.js';
import type { RecordTransform } from '../runtime/record-transform.js';
import type { Predicate, Transformation } from './transformation.js';

function withPrefix(props: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

function aliases(props: Readonly<Record<string, string>>, key: string): string[] {
  return (props[key] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

interface Stage {
  transform: Transformation;
  predicate: Predicate | null;
  negate: boolean;
}

/**
 * A connector's `transforms` as one function (Kafka's TransformationChain): each transform, in
 * order, applies when it has no predicate or when its predicate's answer (negated with
 * `transforms.<alias>.negate=true`) is true; a transform that returns null drops the record.
 */
export function transformChain(plugins: Plugins, props: Readonly<Record<string, string>>): RecordTransform {
  const predicates = new Map<string, Predicate>();
  for (const alias of aliases(props, 'predicates')) {
    const type = props[`predicates.${alias}.type`];
    if (!type)
      throw new ConfigError(
        `predicates.${alias}.type`,
        `Missing required configuration "predicates.${alias}.type" which has no default value.`,
      );
    const predicate = plugins.newInstance<Predicate>('predicate', type);
    predicate.configure(withPrefix(props, `predicates.${alias}.`));
    predicates.set(alias, predicate);
  }
  const stages: Stage[] = aliases(props, 'transforms').map((alias) => {
    const prefix = `transforms.${alias}.`;
    const type = props[`${prefix}type`];
    if (!type)
      throw new ConfigError(
        `${prefix}type`,
        `Missing required configuration "${prefix}type" which has no default value.`,
      );
    const transform = plugins.newInstance<Transformation>('transformation', type);
    const own = withPrefix(props, prefix);
    delete own.type;
    delete own.predicate;
    delete own.negate;
    transform.configure(own);
    const predicateAlias = props[`${prefix}predicate`];
    const predicate = predicateAlias ? (predicates.get(predicateAlias) ?? null) : null;
    if (predicateAlias && !predicate)
      throw ConfigError.invalid(
        `${prefix}predicate`,
        predicateAlias,
        `The predicate ${predicateAlias} is not defined in predicates`,
      );
    return {
      transform,
      predicate,
      negate: (props[`${prefix}negate`] ?? 'false').trim().toLowerCase() === 'true',
    };
  });
  if (stages.length === 0) return (record) => record;
  return <R extends ConnectRecord>(record: R): R | null => {
    let current: R | null = record;
    for (const stage of stages) {
      if (current === null) return null;
      if (stage.predicate && stage.predicate.test(current) === stage.negate) continue;
      current = stage.transform.apply(current);
    }
    return current;
  };
}

/** A def's keys under a prefix and a group (Kafka's ConfigDef.embed). */
function embed(prefix: string, group: string, def: ConnectConfigDef, out: ConnectConfigDef): void {
  let order = 10;
  for (const key of def.keys())
    out.define({ ...key, name: `${prefix}${key.name}`, group, orderInGroup: ++order });
}

/**
 * The keys `transforms` and `predicates` add to a connector's config, for validation (Kafka's
 * ConnectorConfig.enrich): each alias's type, predicate and negate, and its plugin's own keys.
 */
export function transformConfigDefs(
  plugins: Plugins,
  props: Readonly<Record<string, string>>,
): ConnectConfigDef[] {
  const out: ConnectConfigDef[] = [];
  const typeKey = (
    name: string,
    kind: 'transformation' | 'predicate',
    group: string,
    order: number,
  ): ConnectConfigKey => ({
    name,
    type: 'class',
    importance: 'HIGH',
    documentation: `Class for the '${name.split('.')[1]}' ${kind}.`,
    group,
    orderInGroup: order,
    validator: (key, v) => {
      if (typeof v === 'string' && !plugins.find(kind, v))
        throw ConfigError.invalid(key, v, `Class ${v} could not be found.`);
    },
  });
  const definedPredicates = aliases(props, 'predicates');
  for (const alias of aliases(props, 'transforms')) {
    const group = `Transforms: ${alias}`;
    const prefix = `transforms.${alias}.`;
    const def = new ConnectConfigDef([
      typeKey(`${prefix}type`, 'transformation', group, 0),
      {
        name: `${prefix}negate`,
        type: 'boolean',
        defaultValue: false,
        importance: 'MEDIUM',
        documentation: 'Whether the configured predicate should be negated.',
        group,
        orderInGroup: 1,
      },
      {
        name: `${prefix}predicate`,
        type: 'string',
        defaultValue: null,
        importance: 'MEDIUM',
        documentation: 'The alias of a predicate used to determine whether to apply this transformation.',
        group,
        orderInGroup: 2,
        validator: (key, v) => {
          if (v !== null && v !== '' && !definedPredicates.includes(String(v)))
            throw ConfigError.invalid(key, v, `The predicate ${String(v)} is not defined in predicates`);
        },
      },
    ]);
    const type = props[`${prefix}type`];
    const desc = type ? plugins.find('transformation', type) : null;
    if (desc) embed(prefix, group, (new desc.ctor() as Transformation).config(), def);
    out.push(def);
  }
  for (const alias of definedPredicates) {
    const group = `Predicates: ${alias}`;
    const prefix = `predicates.${alias}.`;
    const def = new ConnectConfigDef([typeKey(`${prefix}type`, 'predicate', group, 0)]);
    const type = props[`${prefix}type`];
    const desc = type ? plugins.find('predicate', type) : null;
    if (desc) embed(prefix, group, (new desc.ctor() as Predicate).config(), def);
    out.push(def);
  }
  return out;
}
