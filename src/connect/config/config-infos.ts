import { ConnectError } from '../connect-error.js';
import type { PluginDesc, Plugins } from '../plugins/plugins.js';
import { transformConfigDefs } from '../transforms/transform-chain.js';
import type { ConfigValueReport, ConnectConfigDef, ConnectConfigKey } from './connect-config-def.js';
import { valueToString } from './connect-config-def.js';
import { sinkConfigErrors, sinkConnectorConfigDef, sourceConnectorConfigDef } from './connector-config.js';

/** Kafka's ConfigKeyInfo as the REST API shows it. */
export interface ConfigKeyInfo {
  name: string;
  type: string;
  required: boolean;
  default_value: string | null;
  importance: string;
  documentation: string;
  group: string | null;
  width: string;
  display_name: string;
  dependents: string[];
  order: number;
}

/** Kafka's ConfigValueInfo. */
export interface ConfigValueInfo {
  name: string;
  value: string | null;
  recommended_values: string[];
  errors: string[];
  visible: boolean;
}

/** Kafka's ConfigInfos: the answer of PUT /connector-plugins/{plugin}/config/validate. */
export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: { definition: ConfigKeyInfo; value: ConfigValueInfo }[];
}

function keyInfo(key: ConnectConfigKey): ConfigKeyInfo {
  return {
    name: key.name,
    type: key.type.toUpperCase(),
    required: key.defaultValue === undefined,
    default_value: valueToString(key.defaultValue),
    importance: key.importance,
    documentation: key.documentation,
    group: key.group ?? null,
    width: key.width ?? 'NONE',
    display_name: key.displayName ?? key.name,
    dependents: [...(key.dependents ?? [])],
    order: key.orderInGroup ?? -1,
  };
}

function valueInfo(report: ConfigValueReport, key: ConnectConfigKey): ConfigValueInfo {
  return {
    name: report.name,
    // Passwords are never echoed back, as Kafka's ConfigDef.convertToString hides them.
    value: key.type === 'password' && report.value != null ? '[hidden]' : valueToString(report.value),
    recommended_values: [...report.recommendedValues],
    errors: [...report.errors],
    visible: report.visible,
  };
}

/** The ConfigInfos of a set of defs and their reports, in definition order. */
export function configInfos(
  name: string,
  parts: readonly { def: ConnectConfigDef; reports: readonly ConfigValueReport[] }[],
): ConfigInfos {
  const configs: ConfigInfos['configs'] = [];
  const groups: string[] = [];
  let errorCount = 0;
  for (const { def, reports } of parts) {
    for (const g of def.groups()) if (!groups.includes(g)) groups.push(g);
    for (const report of reports) {
      const key = def.key(report.name);
      if (!key) continue;
      errorCount += report.errors.length;
      configs.push({ definition: keyInfo(key), value: valueInfo(report, key) });
    }
  }
  return { name, error_count: errorCount, groups, configs };
}

/**
 * Validates a connector's configuration as Kafka's AbstractHerder.validateConnectorConfig: the
 * common connector keys (with the sink or source keys), then the connector's own. The result's
 * `name` is the connector's class name.
 */
export async function validateConnectorConfig(
  plugins: Plugins,
  props: Readonly<Record<string, string>>,
  extraDefs: (connectorProps: Readonly<Record<string, string>>) => readonly ConnectConfigDef[] = () => [],
): Promise<ConfigInfos> {
  const className = props['connector.class'];
  if (className === undefined || className.trim() === '')
    throw new ConnectError('BAD_REQUEST', 'Connector config contains no connector type');
  let desc: PluginDesc;
  try {
    desc = plugins.connector(className.trim());
  } catch (err) {
    throw new ConnectError('BAD_REQUEST', (err as Error).message, { cause: err });
  }
  const connector = plugins.newConnector(desc.className);
  const isSink = desc.type === 'sink';
  const commonDef = isSink ? sinkConnectorConfigDef() : sourceConnectorConfigDef();
  let commonReports = commonDef.validate(props);
  if (isSink) {
    const cross = sinkConfigErrors(props);
    commonReports = commonReports.map((r) =>
      cross.has(r.name) ? { ...r, errors: [...r.errors, cross.get(r.name)!] } : r,
    );
  }
  const parts = [{ def: commonDef, reports: commonReports }];
  for (const def of [...transformConfigDefs(plugins, props), ...extraDefs(props)])
    parts.push({ def, reports: def.validate(props) });
  const connectorDef = connector.config();
  parts.push({ def: connectorDef, reports: await connector.validate(props) });
  return configInfos(desc.className, parts);
}

/** Kafka's message when a connector is created or updated with an invalid config (a 400). */
export function invalidConfigMessage(infos: ConfigInfos): string {
  const messages = infos.configs.flatMap((c) => c.value.errors);
  return (
    `Connector configuration is invalid and contains the following ${infos.error_count} error(s):\n` +
    `${messages.join('\n')}\n` +
    'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`'
  );
}
