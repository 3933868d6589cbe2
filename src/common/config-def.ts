import { StromError } from './strom-error.js';

/** The value types of Kafka's ConfigDef, with the same names DescribeConfigs reports. */
export type ConfigType =
  | 'boolean'
  | 'string'
  | 'int'
  | 'short'
  | 'long'
  | 'double'
  | 'list'
  | 'password'
  | 'class';
/** A parsed value as DescribeConfigs formats it: longs past 2^53 stay exact as bigints. */
export type ConfigValue = boolean | string | number | bigint | readonly string[] | null;

/**
 * The value a typed view gives a key of each type. Longs are numbers: they are durations, sizes
 * and counts used in arithmetic, and Kafka's Long.MAX_VALUE ("no limit") becomes Infinity.
 */
export type TypedConfigValue<T extends ConfigType> = T extends 'boolean'
  ? boolean
  : T extends 'int' | 'short' | 'long' | 'double'
    ? number
    : T extends 'list'
      ? readonly string[]
      : string;

/**
 * The typed values of a list of key definitions (declared `as const`), by key name: a key that is
 * not defined is a type error, and a key whose default is null may be null.
 */
export type ConfigValuesOf<Keys extends readonly ConfigKeyDef[]> = {
  readonly [K in Keys[number] as K['name']]:
    | TypedConfigValue<K['type']>
    | (null extends K['defaultValue'] ? null : never);
};

/** Raised when a configuration value does not parse or fails validation; maps to INVALID_CONFIG. */
export class InvalidConfigError extends StromError {
  readonly key: string;
  constructor(key: string, message: string) {
    super('INVALID_CONFIG', `Invalid value for configuration ${key}: ${message}`);
    this.key = key;
  }
}

export interface ConfigKeyDef {
  readonly name: string;
  readonly type: ConfigType;
  /** Undefined means required; null means "no value" (Kafka's null default). */
  readonly defaultValue: ConfigValue | undefined;
  readonly doc: string;
  readonly validate?: (value: ConfigValue, key: string) => void;
  /** Whether the value is a secret (never logged, returned as null by DescribeConfigs). */
  readonly sensitive?: boolean;
  /** Whether a running broker can change it without a restart. */
  readonly dynamic?: boolean;
}

const INT32_MIN = -(2 ** 31);
const LONG_MAX = 9223372036854775807n;
const INT32_MAX = 2 ** 31 - 1;

/** Parses a string the way Kafka's ConfigDef.parseType does for the given type. */
export function parseConfigValue(def: ConfigKeyDef, raw: string): ConfigValue {
  const s = raw.trim();
  const fail = (why: string): never => {
    throw new InvalidConfigError(def.name, `"${raw}" ${why}`);
  };
  switch (def.type) {
    case 'boolean':
      if (s.toLowerCase() === 'true') return true;
      if (s.toLowerCase() === 'false') return false;
      return fail('is not a boolean (true or false)');
    case 'short':
    case 'int': {
      if (!/^[-+]?\d+$/.test(s)) fail('is not an integer');
      const n = Number(s);
      const [lo, hi] = def.type === 'short' ? [-32768, 32767] : [INT32_MIN, INT32_MAX];
      if (n < lo || n > hi) fail(`is out of range for a ${def.type}`);
      return n;
    }
    case 'long': {
      if (!/^[-+]?\d+$/.test(s)) fail('is not an integer');
      const n = BigInt(s);
      if (n < -(2n ** 63n) || n >= 2n ** 63n) fail('is out of range for a long');
      // Longs that fit a double exactly stay numbers: durations and sizes are used in arithmetic.
      return Number.isSafeInteger(Number(n)) ? Number(n) : n;
    }
    case 'double': {
      const n = Number(s);
      if (s === '' || Number.isNaN(n)) fail('is not a number');
      return n;
    }
    case 'list':
      return s === '' ? [] : s.split(',').map((x) => x.trim());
    case 'string':
    case 'password':
    case 'class':
      return s;
  }
}

export function formatConfigValue(value: ConfigValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** Validators named after Kafka's ConfigDef.Range / ValidString / ValidList. */
export const Validators = {
  atLeast(min: number) {
    return (v: ConfigValue, key: string): void => {
      if (v !== null && Number(v) < min)
        throw new InvalidConfigError(key, `${String(v)} is less than ${min}`);
    };
  },
  between(min: number, max: number) {
    return (v: ConfigValue, key: string): void => {
      if (v !== null && (Number(v) < min || Number(v) > max)) {
        throw new InvalidConfigError(key, `${String(v)} is not between ${min} and ${max}`);
      }
    };
  },
  oneOf(...allowed: string[]) {
    return (v: ConfigValue, key: string): void => {
      if (v !== null && !allowed.includes(String(v))) {
        throw new InvalidConfigError(key, `"${String(v)}" is not one of ${allowed.join(', ')}`);
      }
    };
  },
  listOf(...allowed: string[]) {
    return (v: ConfigValue, key: string): void => {
      if (!Array.isArray(v)) return;
      for (const item of v) {
        if (!allowed.includes(item))
          throw new InvalidConfigError(key, `"${item}" is not one of ${allowed.join(', ')}`);
      }
    };
  },
} as const;

/** The typed view's number for a long: Long.MAX_VALUE and beyond is "no limit". */
function longAsNumber(v: bigint): number {
  return v >= LONG_MAX ? Number.POSITIVE_INFINITY : Number(v);
}

/**
 * A set of config keys: parses and validates string maps as Kafka's ConfigDef does. `Values` is
 * the typed view of the keys (`ConfigValuesOf<typeof keys>`), which `typed` builds.
 */
export class ConfigDef<Values extends object = Readonly<Record<string, unknown>>> {
  private readonly keys = new Map<string, ConfigKeyDef>();

  constructor(keys: Iterable<ConfigKeyDef> = []) {
    for (const k of keys) this.keys.set(k.name, k);
  }

  get(name: string): ConfigKeyDef | undefined {
    return this.keys.get(name);
  }

  names(): string[] {
    return [...this.keys.keys()].sort();
  }

  /** Parses and validates one value; throws InvalidConfigError. */
  parseOne(name: string, raw: string | null): ConfigValue {
    const def = this.keys.get(name);
    if (!def) throw new InvalidConfigError(name, 'unknown configuration');
    const value = raw === null ? null : parseConfigValue(def, raw);
    def.validate?.(value, name);
    return value;
  }

  /**
   * Parses `raw` over the defaults. Keys this def does not know are returned in `unknown`
   * rather than rejected, so callers decide (a broker warns, a topic request fails).
   */
  parse(raw: ReadonlyMap<string, string> | Record<string, string>): {
    values: Map<string, ConfigValue>;
    unknown: string[];
  } {
    const entries = raw instanceof Map ? [...raw.entries()] : Object.entries(raw);
    const values = new Map<string, ConfigValue>();
    const unknown: string[] = [];
    for (const def of this.keys.values()) {
      if (def.defaultValue !== undefined) values.set(def.name, def.defaultValue);
    }
    for (const [k, v] of entries) {
      if (!this.keys.has(k)) {
        unknown.push(k);
        continue;
      }
      values.set(k, this.parseOne(k, v));
    }
    for (const def of this.keys.values()) {
      if (!values.has(def.name)) throw new InvalidConfigError(def.name, 'missing required configuration');
    }
    return { values, unknown };
  }

  /**
   * The typed view of a complete set of parsed values (as `parse` returns, or a topic's resolved
   * effective values): one object with a property per key, built once and read per request.
   */
  typed(values: ReadonlyMap<string, ConfigValue>): Values {
    const out: Record<string, ConfigValue> = {};
    for (const def of this.keys.values()) {
      const v = values.get(def.name);
      if (v === undefined) throw new InvalidConfigError(def.name, 'missing required configuration');
      out[def.name] = typeof v === 'bigint' ? longAsNumber(v) : v;
    }
    // The cast is the one place the value types meet the key types: parseConfigValue returns
    // exactly TypedConfigValue<type> for each type, bigints aside, which the loop turned into numbers.
    return Object.freeze(out) as Values;
  }
}
