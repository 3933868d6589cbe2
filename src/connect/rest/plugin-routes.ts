import { type ConfigInfos, type ConfigKeyInfo, configInfos } from '../config/config-infos.js';
import { ConnectError } from '../connect-error.js';
import type { PluginDesc, Plugins } from '../plugins/plugins.js';
import type { Herder } from '../runtime/herder.js';

/** Kafka's normalizedPluginName: the simple name without its Connector suffix. */
function normalized(name: string): string {
  const simple = name.slice(name.lastIndexOf('.') + 1);
  return simple.endsWith('Connector') && simple !== 'Connector'
    ? simple.slice(0, -'Connector'.length)
    : simple;
}

/**
 * PUT /connector-plugins/{plugin}/config/validate: the body's connector.class, if any, must be the
 * plugin of the path (Kafka's "Included connector type ... does not match request type ...").
 */
export async function validateForPlugin(
  herder: Herder,
  plugin: string,
  config: Record<string, string>,
): Promise<ConfigInfos> {
  const included = config['connector.class'];
  if (included !== undefined && !normalized(included).endsWith(normalized(plugin)))
    throw new ConnectError(
      'BAD_REQUEST',
      `Included connector type ${included} does not match request type ${plugin}`,
    );
  return herder.validate({ ...config, 'connector.class': plugin });
}

/** GET /connector-plugins/{plugin}/config (KIP-769): the definitions of the plugin's own keys. */
export function connectorPluginConfig(plugins: Plugins, plugin: string): ConfigKeyInfo[] {
  let desc: PluginDesc;
  try {
    desc = plugins.connector(plugin);
  } catch {
    throw new ConnectError('NOT_FOUND', `Unknown plugin ${plugin}.`);
  }
  const def = plugins.newConnector(desc.className).config();
  const reports = def.keys().map((k) => ({
    name: k.name,
    value: undefined,
    recommendedValues: [],
    errors: [],
    visible: true,
  }));
  return configInfos(desc.className, [{ def, reports }]).configs.map((c) => c.definition);
}
