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
export type ConfigValue = boolean | string | number | bigint | string[] | null;

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

/** A set of config keys: parses and validates string maps as Kafka's ConfigDef does. */
export class ConfigDef {
  private readonly keys = new Map<string, ConfigKeyDef>();

  define(key: ConfigKeyDef): this {
    this.keys.set(key.name, key);
    return this;
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
}
