import { formatConfigValue } from '../common/config-def.js';
import { ConfigResourceType, type MetadataImage } from './metadata-image.js';
import { TOPIC_CONFIG_DEF, type TopicConfig, topicConfigSynonyms } from './topic-config-def.js';

/** DescribeConfigs' ConfigSource values. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

export interface ConfigSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
}

export interface ResolvedConfig {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
  readonly isSensitive: boolean;
  readonly readOnly: boolean;
  readonly type: string;
  readonly documentation: string;
  /** Every place a value was found, most specific first (DescribeConfigs with includeSynonyms). */
  readonly synonyms: readonly ConfigSynonym[];
}

/** What the broker's own configuration contributes: keys set in server.properties or --override. */
export interface StaticBrokerConfig {
  explicit(key: string): string | undefined;
  /** Kafka's built-in default of a broker key (formatted), or null. */
  defaultOf(key: string): string | null;
}

const CONFIG_TYPE_CODES: Record<string, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

/** DescribeConfigs' ConfigType code for a key type. */
export function configTypeCode(type: string): number {
  return CONFIG_TYPE_CODES[type] ?? 0;
}

/**
 * Resolves a topic's effective configs the way Kafka does: the topic's own override, then the
 * dynamic broker config of this node, the dynamic cluster-wide default, the static broker config,
 * and Kafka's default.
 */
export function resolveTopicConfigs(
  image: MetadataImage,
  topic: string,
  nodeId: number,
  staticConfig: StaticBrokerConfig,
): ResolvedConfig[] {
  const overrides = image.configsOf(ConfigResourceType.TOPIC, topic);
  const nodeDynamic = image.configsOf(ConfigResourceType.BROKER, String(nodeId));
  const clusterDynamic = image.configsOf(ConfigResourceType.BROKER, '');
  const out: ResolvedConfig[] = [];
  for (const key of TOPIC_CONFIG_DEF.names()) {
    const def = TOPIC_CONFIG_DEF.get(key)!;
    const synonyms: ConfigSynonym[] = [];
    const own = overrides.get(key);
    if (own !== undefined)
      synonyms.push({ name: key, value: own, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    for (const brokerKey of topicConfigSynonyms(key)) {
      const d = nodeDynamic.get(brokerKey);
      if (d !== undefined)
        synonyms.push({ name: brokerKey, value: d, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
    }
    for (const brokerKey of topicConfigSynonyms(key)) {
      const d = clusterDynamic.get(brokerKey);
      if (d !== undefined) {
        synonyms.push({ name: brokerKey, value: d, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
      }
    }
    for (const brokerKey of topicConfigSynonyms(key)) {
      const s = staticConfig.explicit(brokerKey);
      if (s !== undefined)
        synonyms.push({ name: brokerKey, value: s, source: ConfigSource.STATIC_BROKER_CONFIG });
    }
    const primary = topicConfigSynonyms(key)[0];
    const builtIn = primary ? staticConfig.defaultOf(primary) : null;
    synonyms.push({
      name: primary ?? key,
      value: builtIn ?? formatConfigValue(def.defaultValue ?? null),
      source: ConfigSource.DEFAULT_CONFIG,
    });
    const winner = synonyms[0]!;
    out.push({
      name: key,
      value: normalise(key, winner),
      source: winner.source,
      isSensitive: def.sensitive === true,
      readOnly: false,
      type: def.type,
      documentation: def.doc,
      synonyms,
    });
  }
  return out;
}

/** Broker synonyms in hours or minutes are reported as the topic key's milliseconds. */
function normalise(topicKey: string, s: ConfigSynonym): string | null {
  if (s.value === null || s.name === topicKey) return s.value;
  if (s.name.endsWith('.hours')) return String(Number(s.value) * 3_600_000);
  if (s.name.endsWith('.minutes')) return String(Number(s.value) * 60_000);
  return s.value;
}

/** A topic's resolved configs parsed into its typed effective config (what produce, fetch and storage read). */
export function effectiveTopicConfig(resolved: readonly ResolvedConfig[]): TopicConfig {
  return TOPIC_CONFIG_DEF.typed(
    new Map(resolved.map((r) => [r.name, TOPIC_CONFIG_DEF.parseOne(r.name, r.value)])),
  );
}
