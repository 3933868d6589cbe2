import { formatConfigValue } from '../../common/config-def.js';
import {
  ConfigSource,
  type ConfigSynonym,
  type ResolvedConfig,
  type StaticBrokerConfig,
} from '../../metadata/config-resolver.js';
import { ConfigResourceType, type MetadataImage } from '../../metadata/metadata-image.js';
import type { BrokerConfig } from './broker-config.js';
import { BROKER_CONFIG_DEF } from './broker-config-def.js';

/** The broker's keys as a StaticBrokerConfig: what server.properties set, and Kafka's defaults. */
export function staticBrokerConfig(config: BrokerConfig): StaticBrokerConfig {
  return {
    explicit: (key) => config.explicit.get(key),
    defaultOf: (key) => formatConfigValue(BROKER_CONFIG_DEF.get(key)?.defaultValue ?? null),
  };
}

/** Broker keys that may change at runtime: the topic defaults (log.*, message.max.bytes, …). */
export function isDynamicBrokerConfig(key: string): boolean {
  return BROKER_CONFIG_DEF.get(key)?.dynamic === true;
}

/**
 * DescribeConfigs for a broker resource: every broker key with the most specific value — dynamic
 * for this node, dynamic cluster default, static (server.properties), Kafka's default. The
 * cluster-default resource ('') lists only the dynamic cluster defaults, as Kafka does.
 */
export function resolveBrokerConfigs(
  image: MetadataImage,
  resourceName: string,
  config: BrokerConfig,
): ResolvedConfig[] {
  const nodeDynamic = image.configsOf(
    ConfigResourceType.BROKER,
    resourceName === '' ? '\u0000' : resourceName,
  );
  const clusterDynamic = image.configsOf(ConfigResourceType.BROKER, '');
  const out: ResolvedConfig[] = [];
  for (const key of BROKER_CONFIG_DEF.names()) {
    const def = BROKER_CONFIG_DEF.get(key)!;
    const synonyms: ConfigSynonym[] = [];
    const d = nodeDynamic.get(key);
    if (d !== undefined) synonyms.push({ name: key, value: d, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
    const c = clusterDynamic.get(key);
    if (c !== undefined)
      synonyms.push({ name: key, value: c, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
    if (resourceName === '' && c === undefined) continue;
    const st = config.explicit.get(key);
    if (st !== undefined) synonyms.push({ name: key, value: st, source: ConfigSource.STATIC_BROKER_CONFIG });
    synonyms.push({
      name: key,
      value: formatConfigValue(def.defaultValue ?? null),
      source: ConfigSource.DEFAULT_CONFIG,
    });
    const winner = synonyms[0]!;
    const sensitive = def.sensitive === true || def.type === 'password';
    out.push({
      name: key,
      value: sensitive ? null : winner.value,
      source: winner.source,
      isSensitive: sensitive,
      readOnly: def.dynamic !== true,
      type: def.type,
      documentation: def.doc,
      synonyms: sensitive ? synonyms.map((x) => ({ ...x, value: null })) : synonyms,
    });
  }
  return out;
}
