import { readFileSync } from 'node:fs';
import { type ConfigValue, InvalidConfigError } from '../../common/config-def.js';
import { parseProperties } from '../../common/properties.js';
import { TOPIC_CONFIG_DEF, type TopicConfig, topicConfigSynonyms } from '../../metadata/topic-config-def.js';
import { BROKER_CONFIG_DEF, type BrokerConfigKey, type BrokerConfigValues } from './broker-config-def.js';

export interface Listener {
  readonly name: string;
  readonly securityProtocol: string;
  readonly host: string;
  readonly port: number;
}

const HOUR_MS = 3_600_000;

/** Parses `NAME://host:port` (host may be empty, an IPv4 address, a name or a bracketed IPv6 address). */
export function parseListener(uri: string, protocolMap: ReadonlyMap<string, string>, key: string): Listener {
  const m = /^([A-Za-z0-9_]+):\/\/(\[[0-9a-fA-F:.]+\]|[^:/]*):(\d+)$/.exec(uri.trim());
  if (!m) throw new InvalidConfigError(key, `"${uri}" is not of the form NAME://host:port`);
  const name = m[1]!.toUpperCase();
  const port = Number(m[3]);
  if (port > 65535) throw new InvalidConfigError(key, `port ${port} is out of range`);
  const securityProtocol = protocolMap.get(name) ?? name;
  if (securityProtocol !== 'PLAINTEXT') {
    throw new InvalidConfigError(
      key,
      `security protocol ${securityProtocol} of listener ${name} is not supported yet`,
    );
  }
  return { name, securityProtocol, host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

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

  constructor(raw: ReadonlyMap<string, string>) {
    const { values, unknown } = BROKER_CONFIG_DEF.parse(raw);
    this.values = values;
    this.typed = BROKER_CONFIG_DEF.typed(values);
    this.explicit = new Map(raw);
    this.warnings = unknown.map((k) => `unknown configuration key ${k} is ignored`);
    const protocolMap = new Map<string, string>();
    for (const entry of this.get('listener.security.protocol.map')) {
      const [name, proto] = entry.split(':');
      if (!name || !proto)
        throw new InvalidConfigError('listener.security.protocol.map', `bad entry "${entry}"`);
      protocolMap.set(name.toUpperCase(), proto.toUpperCase());
    }
    this.listeners = this.get('listeners').map((u) => parseListener(u, protocolMap, 'listeners'));
    if (this.listeners.length === 0)
      throw new InvalidConfigError('listeners', 'at least one listener is required');
    const advertised = this.get('advertised.listeners');
    this.advertisedListeners = advertised
      ? advertised.map((u) => parseListener(u, protocolMap, 'advertised.listeners'))
      : this.listeners;
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
