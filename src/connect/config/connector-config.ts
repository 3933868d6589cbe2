import {
  ConfigError,
  ConfigValidators,
  type ConnectConfigDef,
  type ConnectConfigKey,
  ConnectConfigDef as Def,
} from './connect-config-def.js';

/** The keys every connector has, with Kafka's ConnectorConfig groups, defaults and documentation. */
export function connectorConfigDef(): ConnectConfigDef {
  let order = 0;
  const common = (key: ConnectConfigKey): ConnectConfigKey => ({
    ...key,
    group: 'Common',
    orderInGroup: ++order,
  });
  const def = new Def([
    common({
      name: 'name',
      type: 'string',
      importance: 'HIGH',
      documentation: 'Globally unique name to use for this connector.',
      validator: (key, v) => {
        ConfigValidators.nonEmptyString()(key, v);
        if (typeof v === 'string' && /\p{Cc}/u.test(v))
          throw ConfigError.invalid(key, v, 'String may not contain control sequences');
      },
      width: 'MEDIUM',
      displayName: 'Connector name',
    }),
    common({
      name: 'connector.class',
      type: 'string',
      importance: 'HIGH',
      documentation:
        'Name or alias of the class for this connector. Must be a subclass of SourceConnector or SinkConnector.',
      width: 'LONG',
      displayName: 'Connector class',
    }),
    common({
      name: 'tasks.max',
      type: 'int',
      defaultValue: 1,
      importance: 'HIGH',
      documentation: 'Maximum number of tasks to use for this connector.',
      validator: ConfigValidators.atLeast(1),
      width: 'SHORT',
      displayName: 'Tasks max',
    }),
    common({
      name: 'tasks.max.enforce',
      type: 'boolean',
      defaultValue: true,
      importance: 'LOW',
      documentation: 'Whether to fail a connector that generates more than tasks.max task configs.',
      width: 'SHORT',
      displayName: 'Enforce tasks max',
    }),
    common({
      name: 'key.converter',
      type: 'class',
      defaultValue: null,
      importance: 'LOW',
      documentation:
        "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. Overrides the worker's key.converter.",
      width: 'SHORT',
      displayName: 'Key converter class',
    }),
    common({
      name: 'value.converter',
      type: 'class',
      defaultValue: null,
      importance: 'LOW',
      documentation:
        "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. Overrides the worker's value.converter.",
      width: 'SHORT',
      displayName: 'Value converter class',
    }),
    common({
      name: 'header.converter',
      type: 'class',
      defaultValue: null,
      importance: 'LOW',
      documentation:
        "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. Overrides the worker's header.converter.",
      width: 'SHORT',
      displayName: 'Header converter class',
    }),
    common({
      name: 'config.action.reload',
      type: 'string',
      defaultValue: 'restart',
      importance: 'LOW',
      documentation:
        "The action that Connect should take on the connector when changes in external configuration providers result in a change in the connector's configuration properties: none or restart.",
      validator: ConfigValidators.oneOfIgnoreCase('none', 'restart'),
      width: 'MEDIUM',
      displayName: 'Reload Action',
    }),
    {
      name: 'transforms',
      type: 'list',
      defaultValue: '',
      importance: 'LOW',
      documentation: 'Aliases for the transformations to be applied to records.',
      group: 'Transforms',
      orderInGroup: 1,
      width: 'LONG',
      displayName: 'Transforms',
    },
    {
      name: 'predicates',
      type: 'list',
      defaultValue: '',
      importance: 'LOW',
      documentation: 'Aliases for the predicates used by transformations.',
      group: 'Predicates',
      orderInGroup: 1,
      width: 'LONG',
      displayName: 'Predicates',
    },
  ]);
  let errorOrder = 0;
  const errors = (key: ConnectConfigKey) =>
    def.define({ ...key, group: 'Error Handling', orderInGroup: ++errorOrder });
  errors({
    name: 'errors.retry.timeout',
    type: 'long',
    defaultValue: 0,
    importance: 'MEDIUM',
    documentation:
      'The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.',
    width: 'MEDIUM',
    displayName: 'Retry Timeout for Errors',
  });
  errors({
    name: 'errors.retry.delay.max.ms',
    type: 'long',
    defaultValue: 60000,
    importance: 'MEDIUM',
    documentation: 'The maximum duration in milliseconds between consecutive retry attempts.',
    width: 'MEDIUM',
    displayName: 'Maximum Delay Between Retries for Errors',
  });
  errors({
    name: 'errors.tolerance',
    type: 'string',
    defaultValue: 'none',
    importance: 'MEDIUM',
    documentation:
      "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
    validator: ConfigValidators.oneOfIgnoreCase('none', 'all'),
    width: 'SHORT',
    displayName: 'Error Tolerance',
  });
  errors({
    name: 'errors.log.enable',
    type: 'boolean',
    defaultValue: false,
    importance: 'MEDIUM',
    documentation:
      'If true, write each error and the details of the failed operation and problematic record to the Connect application log.',
    width: 'SHORT',
    displayName: 'Log Errors',
  });
  errors({
    name: 'errors.log.include.messages',
    type: 'boolean',
    defaultValue: false,
    importance: 'MEDIUM',
    documentation:
      'Whether to include in the log the Connect record that resulted in a failure. For sink records, the topic, partition, offset, and timestamp will be logged.',
    width: 'SHORT',
    displayName: 'Log Error Details',
  });
  return def;
}

/** The keys of sink connectors on top of the common ones (Kafka's SinkConnectorConfig). */
export function sinkConnectorConfigDef(): ConnectConfigDef {
  const def = connectorConfigDef();
  def.define({
    name: 'topics',
    type: 'list',
    defaultValue: '',
    importance: 'HIGH',
    documentation: 'List of topics to consume, separated by commas',
    group: 'Common',
    orderInGroup: 4,
    width: 'LONG',
    displayName: 'Topics',
  });
  def.define({
    name: 'topics.regex',
    type: 'string',
    defaultValue: '',
    importance: 'HIGH',
    documentation:
      'Regular expression giving topics to consume. Only one of topics or topics.regex should be specified.',
    validator: (key, v) => {
      if (typeof v !== 'string' || v === '') return;
      try {
        new RegExp(v);
      } catch (err) {
        throw ConfigError.invalid(key, v, `Invalid regex: ${(err as Error).message}`);
      }
    },
    group: 'Common',
    orderInGroup: 4,
    width: 'LONG',
    displayName: 'Topics regex',
  });
  let order = 5;
  const errors = (key: ConnectConfigKey) =>
    def.define({ ...key, group: 'Error Handling', orderInGroup: ++order });
  errors({
    name: 'errors.deadletterqueue.topic.name',
    type: 'string',
    defaultValue: '',
    importance: 'MEDIUM',
    documentation:
      'The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.',
    width: 'MEDIUM',
    displayName: 'Dead Letter Queue Topic Name',
  });
  errors({
    name: 'errors.deadletterqueue.topic.replication.factor',
    type: 'short',
    defaultValue: 3,
    importance: 'MEDIUM',
    documentation:
      "Replication factor used to create the dead letter queue topic when it doesn't already exist.",
    width: 'MEDIUM',
    displayName: 'Dead Letter Queue Topic Replication Factor',
  });
  errors({
    name: 'errors.deadletterqueue.context.headers.enable',
    type: 'boolean',
    defaultValue: false,
    importance: 'MEDIUM',
    documentation:
      'If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys, all error context header keys will start with __connect.errors.',
    width: 'MEDIUM',
    displayName: 'Enable Error Context Headers',
  });
  return def;
}

/** Checks across a sink connector's keys, as Kafka's SinkConnectorConfig.validate; returns errors by key. */
export function sinkConfigErrors(props: Readonly<Record<string, string>>): Map<string, string> {
  const errors = new Map<string, string>();
  const topics = (props.topics ?? '').trim();
  const regex = (props['topics.regex'] ?? '').trim();
  if (topics !== '' && regex !== '') {
    errors.set('topics', 'topics and topics.regex are mutually exclusive options, but both are set.');
    errors.set('topics.regex', 'topics and topics.regex are mutually exclusive options, but both are set.');
  } else if (topics === '' && regex === '') {
    errors.set('topics', 'Must configure one of topics or topics.regex');
    errors.set('topics.regex', 'Must configure one of topics or topics.regex');
  }
  const dlq = (props['errors.deadletterqueue.topic.name'] ?? '').trim();
  if (dlq !== '' && topics.split(/\s*,\s*/).includes(dlq))
    errors.set(
      'errors.deadletterqueue.topic.name',
      `The DLQ topic '${dlq}' may not be included in the list of topics ('topics=${topics}') consumed by the connector`,
    );
  return errors;
}

/** The keys of source connectors on top of the common ones (Kafka's SourceConnectorConfig). */
export function sourceConnectorConfigDef(): ConnectConfigDef {
  const def = connectorConfigDef();
  def.define({
    name: 'exactly.once.support',
    type: 'string',
    defaultValue: 'requested',
    importance: 'MEDIUM',
    documentation:
      'Permitted values are requested, required. If set to "required", forces a preflight check for the connector to ensure that it can provide exactly-once semantics with the given configuration.',
    validator: ConfigValidators.oneOfIgnoreCase('requested', 'required'),
    group: 'Exactly Once Support',
    orderInGroup: 1,
    width: 'SHORT',
    displayName: 'Exactly once support',
  });
  def.define({
    name: 'transaction.boundary',
    type: 'string',
    defaultValue: 'poll',
    importance: 'MEDIUM',
    documentation:
      "Permitted values are: poll, interval, connector. If set to 'poll', a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect.",
    validator: ConfigValidators.oneOfIgnoreCase('poll', 'interval', 'connector'),
    group: 'Exactly Once Support',
    orderInGroup: 2,
    width: 'SHORT',
    displayName: 'Transaction Boundary',
  });
  def.define({
    name: 'transaction.boundary.interval.ms',
    type: 'long',
    defaultValue: null,
    importance: 'LOW',
    documentation:
      "If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction commits by connector tasks. If unset, defaults to the value of the worker-level 'offset.flush.interval.ms' property.",
    group: 'Exactly Once Support',
    orderInGroup: 3,
    width: 'SHORT',
    displayName: 'Transaction boundary interval',
  });
  def.define({
    name: 'offsets.storage.topic',
    type: 'string',
    defaultValue: null,
    importance: 'LOW',
    documentation:
      'The name of a separate offsets topic to use for this connector. If empty or not specified, the worker’s global offsets topic name will be used.',
    group: 'offsets.storage',
    orderInGroup: 1,
    width: 'LONG',
    displayName: 'Offsets topic',
  });
  return def;
}
