import type { ConfigType } from '../../common/config-def.js';
import { ConnectError } from '../connect-error.js';

export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';
export type Width = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';

/** A parsed value: lists are string arrays, ints, longs and doubles numbers, the rest strings. */
export type ParsedValue = boolean | number | string | readonly string[] | null;

/** Kafka's ConfigException: a value that does not parse or validate, with Kafka's message. */
export class ConfigError extends ConnectError {
  constructor(
    readonly key: string | null,
    message: string,
  ) {
    super('CONFIG_ERROR', message);
  }

  /** Kafka's `Invalid value V for configuration K: reason`. */
  static invalid(key: string, value: unknown, reason?: string): ConfigError {
    const shown = Array.isArray(value) ? value.join(',') : String(value);
    return new ConfigError(
      key,
      `Invalid value ${shown} for configuration ${key}${reason ? `: ${reason}` : ''}`,
    );
  }
}

/** Checks a parsed value; throws ConfigError (Kafka's ConfigDef.Validator). */
export type ConfigValidator = (key: string, value: ParsedValue) => void;

/** One key of a ConnectConfigDef, as Kafka's ConfigDef.ConfigKey. */
export interface ConnectConfigKey {
  readonly name: string;
  readonly type: ConfigType;
  /** undefined: required (Kafka's NO_DEFAULT_VALUE); a string is parsed with the key's type. */
  readonly defaultValue?: ParsedValue | undefined;
  readonly importance: Importance;
  readonly documentation: string;
  readonly validator?: ConfigValidator;
  readonly group?: string | null;
  readonly orderInGroup?: number;
  readonly width?: Width;
  readonly displayName?: string;
  readonly dependents?: readonly string[];
  /** Recommended values shown by the validate endpoint (Kafka's Recommender). */
  readonly recommendedValues?: readonly string[];
}

/** What ConfigDef.validate says of one key (Kafka's ConfigValue). */
export interface ConfigValueReport {
  readonly name: string;
  readonly value: ParsedValue | undefined;
  readonly recommendedValues: readonly string[];
  readonly errors: string[];
  readonly visible: boolean;
}

/** Kafka's ConfigDef.parseType, with its error messages. */
export function parseType(key: string, type: ConfigType, raw: ParsedValue): ParsedValue {
  if (raw === null) return null;
  if (typeof raw !== 'string') return raw;
  const s = raw.trim();
  switch (type) {
    case 'boolean':
      if (s.toLowerCase() === 'true') return true;
      if (s.toLowerCase() === 'false') return false;
      throw ConfigError.invalid(key, raw, 'Expected value to be either true or false');
    case 'int':
    case 'short':
    case 'long': {
      const n = Number(s);
      const [lo, hi] =
        type === 'short'
          ? [-32768, 32767]
          : type === 'int'
            ? [-(2 ** 31), 2 ** 31 - 1]
            : [-(2 ** 63), 2 ** 63];
      if (!/^[-+]?\d+$/.test(s) || n < lo || n > hi)
        throw ConfigError.invalid(key, raw, `Not a number of type ${type.toUpperCase()}`);
      return n;
    }
    case 'double': {
      const n = Number(s);
      if (s === '' || Number.isNaN(n)) throw ConfigError.invalid(key, raw, 'Not a number of type DOUBLE');
      return n;
    }
    case 'list':
      return s === '' ? [] : s.split(/\s*,\s*/);
    case 'class':
    case 'string':
    case 'password':
      // Kafka trims class names but keeps strings and passwords as given.
      return type === 'class' ? s : raw;
  }
}

/** The string form of a value, as Kafka's ConfigDef.convertToString (what the REST API shows). */
export function valueToString(value: ParsedValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** The validators of Kafka's ConfigDef, with its messages. */
export const ConfigValidators = {
  atLeast(min: number): ConfigValidator {
    return (key, v) => {
      if (v === null) throw ConfigError.invalid(key, v, `Value must be non-null`);
      if (Number(v) < min) throw ConfigError.invalid(key, v, `Value must be at least ${min}`);
    };
  },
  between(min: number, max: number): ConfigValidator {
    return (key, v) => {
      if (v === null) throw ConfigError.invalid(key, v, `Value must be non-null`);
      if (Number(v) < min) throw ConfigError.invalid(key, v, `Value must be at least ${min}`);
      if (Number(v) > max) throw ConfigError.invalid(key, v, `Value must be no more than ${max}`);
    };
  },
  oneOf(...allowed: string[]): ConfigValidator {
    return (key, v) => {
      if (v !== null && !allowed.includes(String(v)))
        throw ConfigError.invalid(key, v, `String must be one of: ${allowed.join(', ')}`);
    };
  },
  oneOfIgnoreCase(...allowed: string[]): ConfigValidator {
    return (key, v) => {
      if (v !== null && !allowed.some((a) => a.toLowerCase() === String(v).toLowerCase()))
        throw ConfigError.invalid(key, v, `String must be one of (case insensitive): ${allowed.join(', ')}`);
    };
  },
  nonEmptyString(): ConfigValidator {
    return (key, v) => {
      if (typeof v === 'string' && v.trim() === '')
        throw ConfigError.invalid(key, v, 'String may not be empty');
    };
  },
  nonEmptyList(): ConfigValidator {
    return (key, v) => {
      if (Array.isArray(v) && v.length === 0) throw ConfigError.invalid(key, v, 'Empty list');
    };
  },
} as const;

/**
 * Kafka's ConfigDef for connectors, converters and transforms: typed keys with defaults,
 * importance, documentation and groups, parsed into a ParsedConfig or validated key by key for
 * the REST API's validate endpoint.
 */
export class ConnectConfigDef {
  private readonly keyMap = new Map<string, ConnectConfigKey>();

  constructor(keys: Iterable<ConnectConfigKey> = []) {
    for (const k of keys) this.define(k);
  }

  define(key: ConnectConfigKey): this {
    if (this.keyMap.has(key.name))
      throw new ConfigError(key.name, `Configuration ${key.name} is defined twice.`);
    this.keyMap.set(key.name, key);
    return this;
  }

  /** A new def with this def's keys and another's (Kafka's ConfigDef(base).define...). */
  with(other: ConnectConfigDef): ConnectConfigDef {
    const out = new ConnectConfigDef(this.keyMap.values());
    for (const k of other.keys()) if (!out.keyMap.has(k.name)) out.define(k);
    return out;
  }

  keys(): ConnectConfigKey[] {
    return [...this.keyMap.values()];
  }

  key(name: string): ConnectConfigKey | undefined {
    return this.keyMap.get(name);
  }

  /** Groups in order of first appearance, as Kafka's ConfigDef.groups. */
  groups(): string[] {
    const groups: string[] = [];
    for (const k of this.keyMap.values()) if (k.group && !groups.includes(k.group)) groups.push(k.group);
    return groups;
  }

  /** Parses and validates every key; throws the first ConfigError (Kafka's AbstractConfig). */
  parse(props: Readonly<Record<string, string>>): ParsedConfig {
    const values = new Map<string, ParsedValue>();
    for (const key of this.keyMap.values()) values.set(key.name, this.parseKey(key, props));
    return new ParsedConfig(values, props);
  }

  /** Validates every key, collecting each one's errors instead of stopping at the first (ConfigDef.validate). */
  validate(props: Readonly<Record<string, string>>): ConfigValueReport[] {
    return [...this.keyMap.values()].map((key) => {
      const report: ConfigValueReport = {
        name: key.name,
        value: undefined,
        recommendedValues: key.recommendedValues ?? [],
        errors: [],
        visible: true,
      };
      try {
        const parsed = this.parseKey(key, props);
        return { ...report, value: parsed };
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        report.errors.push(err.message);
        return report;
      }
    });
  }

  private parseKey(key: ConnectConfigKey, props: Readonly<Record<string, string>>): ParsedValue {
    const raw = Object.hasOwn(props, key.name) ? props[key.name]! : key.defaultValue;
    if (raw === undefined)
      throw new ConfigError(
        key.name,
        `Missing required configuration "${key.name}" which has no default value.`,
      );
    const value = parseType(key.name, key.type, raw);
    key.validator?.(key.name, value);
    return value;
  }
}

/** Parsed values with typed getters (Kafka's AbstractConfig). */
export class ParsedConfig {
  constructor(
    private readonly values: ReadonlyMap<string, ParsedValue>,
    readonly originals: Readonly<Record<string, string>>,
  ) {}

  get(name: string): ParsedValue {
    if (!this.values.has(name)) throw new ConfigError(name, `Unknown configuration '${name}'`);
    return this.values.get(name)!;
  }

  getString(name: string): string | null {
    const v = this.get(name);
    return v === null ? null : String(v);
  }

  getInt(name: string): number {
    return this.number(name);
  }

  getLong(name: string): number {
    return this.number(name);
  }

  getDouble(name: string): number {
    return this.number(name);
  }

  getBoolean(name: string): boolean {
    const v = this.get(name);
    if (typeof v !== 'boolean') throw new ConfigError(name, `${name} is not a boolean`);
    return v;
  }

  getList(name: string): readonly string[] {
    const v = this.get(name);
    return v === null ? [] : Array.isArray(v) ? v : [String(v)];
  }

  /** The original properties under a prefix, the prefix removed (Kafka's originalsWithPrefix). */
  originalsWithPrefix(prefix: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.originals))
      if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
  }

  private number(name: string): number {
    const v = this.get(name);
    if (typeof v !== 'number') throw new ConfigError(name, `${name} is not a number`);
    return v;
  }
}
