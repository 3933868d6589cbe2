import { readFileSync } from 'node:fs';
import { type ConfigValue, InvalidConfigError, parseConfigValue } from '../../common/config-def.js';
import { parseProperties } from '../../common/properties.js';
import { TOPIC_CONFIG_DEF, type TopicConfig, topicConfigSynonyms } from '../../metadata/topic-config-def.js';
import { BROKER_CONFIG_DEF, type BrokerConfigKey, type BrokerConfigValues } from './broker-config-def.js';
import { type Listener, ListenerConfig } from './listener-config.js';
import { LISTENER_OVERRIDABLE } from './security-config-def.js';

export type { Listener } from './listener-config.js';
export { parseListener } from './listener-config.js';

const HOUR_MS = 3_600_000;

/**
 * The broker's validated configuration. Construction parses and validates every key, so a broker
 * never starts listening with an invalid value; unknown keys are reported as warnings.
 */
export class BrokerConfig {
  /** Parsed values by key, as DescribeConfigs formats them (longs past 2^53 exact). */
  readonly values: ReadonlyMap<string, ConfigValue>;
  /** The same values as one typed object, read by `get`. */
  private readonly typed: BrokerConfigValues;
  /** Keys as the user gave them (for DescribeConfigs' STATIC_BROKER_CONFIG source). */
  readonly explicit: ReadonlyMap<string, string>;
  readonly warnings: readonly string[];
  readonly listeners: readonly Listener[];
  readonly advertisedListeners: readonly Listener[];
  /** Listeners, advertised listeners, the protocol map and the inter-broker listener, validated as Kafka does. */
  readonly listenerConfig: ListenerConfig;
  /** `listener.name.<name>.<key>` values by listener name (upper case), then key. */
  private readonly listenerOverrides = new Map<string, Map<string, string>>();

  constructor(raw: ReadonlyMap<string, string>) {
    const { values, unknown } = BROKER_CONFIG_DEF.parse(raw);
    this.values = values;
    this.typed = BROKER_CONFIG_DEF.typed(values);
    this.explicit = new Map(raw);
    this.listenerConfig = new ListenerConfig({
      listeners: this.get('listeners'),
      advertisedListeners: this.get('advertised.listeners'),
      protocolMap: this.get('listener.security.protocol.map'),
      interBrokerListenerName: this.get('inter.broker.listener.name'),
      interBrokerSecurityProtocol: this.get('security.inter.broker.protocol'),
    });
    this.listeners = this.listenerConfig.listeners;
    this.advertisedListeners = this.listenerConfig.advertisedListeners;
    const warnings: string[] = [];
    for (const key of unknown) {
      if (!this.takeListenerOverride(key)) warnings.push(`unknown configuration key ${key} is ignored`);
    }
    this.warnings = warnings;
    // Kafka's KafkaConfig check: a request of the largest size must fit in the request pool.
    const queuedBytes = this.get('queued.max.request.bytes');
    if (queuedBytes > 0 && queuedBytes < this.get('socket.request.max.bytes')) {
      throw new InvalidConfigError(
        'queued.max.request.bytes',
        'must be larger or equal to socket.request.max.bytes',
      );
    }
    const brokerId = this.get('broker.id');
    if (brokerId !== null && raw.has('node.id') && brokerId !== this.nodeId) {
      throw new InvalidConfigError('broker.id', `${brokerId} differs from node.id ${this.nodeId}`);
    }
  }

  /**
   * Keeps `listener.name.<name>.<key>` for a key that may be set per listener, and
   * `listener.name.<name>.<mechanism>.sasl.jaas.config` (Kafka's per-mechanism JAAS config);
   * false for anything else.
   */
  private takeListenerOverride(key: string): boolean {
    const m = /^listener\.name\.([^.]+)\.(.+)$/.exec(key);
    if (!m) return false;
    const name = m[1]!.toUpperCase();
    const rest = m[2]!;
    const known = LISTENER_OVERRIDABLE.has(rest) || /^[a-z0-9-]+\.sasl\.jaas\.config$/.test(rest);
    if (!known) return false;
    if (!this.listenerConfig.listener(name)) {
      throw new InvalidConfigError(key, `listener ${name} is not in listeners`);
    }
    let forListener = this.listenerOverrides.get(name);
    if (!forListener) {
      forListener = new Map();
      this.listenerOverrides.set(name, forListener);
    }
    const raw = this.explicit.get(key)!;
    const def = BROKER_CONFIG_DEF.get(rest);
    if (def) def.validate?.(parseConfigValue({ ...def, name: key }, raw), key);
    forListener.set(rest, raw);
    return true;
  }

  /**
   * A key's raw value for one listener: `listener.name.<name>.<key>` when given, else the
   * broker-wide key as given (null when neither is set). Kafka's per-listener configs (KIP-103).
   */
  listenerRaw(listenerName: string, key: string): string | null {
    const own = this.listenerOverrides.get(listenerName.toUpperCase())?.get(key);
    if (own !== undefined) return own;
    return LISTENER_OVERRIDABLE.has(key) ? (this.explicit.get(key) ?? null) : null;
  }

  /** A typed key's value for one listener: the listener's override (validated at construction), else the broker's. */
  listenerValue<K extends BrokerConfigKey>(listenerName: string, key: K): BrokerConfigValues[K] {
    const own = this.listenerOverrides.get(listenerName.toUpperCase())?.get(key);
    if (own === undefined) return this.get(key);
    const v = parseConfigValue({ ...BROKER_CONFIG_DEF.get(key)!, name: key }, own);
    return (typeof v === 'bigint' ? Number(v) : v) as BrokerConfigValues[K];
  }

  /** Reads a server.properties file (optional) and applies `key=value` overrides on top. */
  static load(options: { file?: string; overrides?: readonly string[] } = {}): BrokerConfig {
    const raw = options.file
      ? parseProperties(readFileSync(options.file, 'utf8'))
      : new Map<string, string>();
    for (const o of options.overrides ?? []) {
      const eq = o.indexOf('=');
      if (eq <= 0) throw new InvalidConfigError(o, 'an override must be key=value');
      raw.set(o.slice(0, eq).trim(), o.slice(eq + 1));
    }
    return new BrokerConfig(raw);
  }

  /** A key's value with its type: `get('num.partitions')` is a number, `get('num.partition')` does not compile. */
  get<K extends BrokerConfigKey>(key: K): BrokerConfigValues[K] {
    return this.typed[key];
  }

  get nodeId(): number {
    const brokerId = this.get('broker.id');
    return this.explicit.has('node.id') || brokerId === null ? this.get('node.id') : brokerId;
  }

  get logDirs(): string[] {
    const dirs = this.get('log.dirs');
    return dirs && dirs.length > 0 ? [...dirs] : [this.get('log.dir')];
  }

  /** The default of one topic key and the broker key it came from (null when Kafka's built-in default). */
  topicDefault(topicKey: keyof TopicConfig): { value: ConfigValue; source: string | null } {
    for (const brokerKey of topicConfigSynonyms(topicKey)) {
      if (!this.explicit.has(brokerKey)) continue;
      const v = this.values.get(brokerKey);
      if (v === null || v === undefined) continue;
      if (brokerKey.endsWith('.hours')) return { value: Number(v) * HOUR_MS, source: brokerKey };
      if (brokerKey.endsWith('.minutes')) return { value: Number(v) * 60_000, source: brokerKey };
      return { value: v, source: brokerKey };
    }
    if (topicKey === 'retention.ms')
      return { value: this.get('log.retention.hours') * HOUR_MS, source: null };
    if (topicKey === 'segment.ms') return { value: this.get('log.roll.hours') * HOUR_MS, source: null };
    return { value: TOPIC_CONFIG_DEF.get(topicKey)!.defaultValue ?? null, source: null };
  }
}
