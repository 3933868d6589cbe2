import type { Command } from 'commander';
import type { Admin, ConfigEntry } from '../client/index.js';
import {
  type ConnectionOptions,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { parseKeyValues } from './key-values.js';
import { UsageError } from './usage-error.js';
import { alterUserScram, describeUserScram } from './user-scram-configs.js';

interface ConfigsOptions extends ConnectionOptions {
  describe?: boolean;
  alter?: boolean;
  entityType?: string;
  entityName?: string;
  entityDefault?: boolean;
  addConfig?: string;
  deleteConfig?: string;
  all?: boolean;
  json?: boolean;
}

/** DescribeConfigsResponse ConfigSource values, named as Kafka prints them. */
const SOURCES = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
] as const;
const DYNAMIC_SOURCES: ReadonlySet<number> = new Set([1, 2, 3, 6, 7, 8]);

export function registerConfigsCommand(program: Command, done: (code: number) => void): void {
  connectionOptions(
    program
      .command('configs')
      .description("Describe and alter topic, broker and user (SCRAM) configs (Kafka's kafka-configs.sh)"),
  )
    .option('--describe', 'show configs')
    .option('--alter', 'change configs')
    .option('--entity-type <type>', 'topics, brokers or users')
    .option(
      '--entity-name <name>',
      'topic name, broker id or user name (all of them when omitted with --describe)',
    )
    .option('--entity-default', 'with --entity-type brokers: the cluster-wide default')
    .option('--add-config <k=v,...>', 'configs to set, comma-separated (a value with commas in [brackets])')
    .option('--delete-config <k,...>', 'configs to remove, comma-separated')
    .option('--all', 'with --describe: every config, not only the dynamic ones')
    .option('--json', 'print --describe as JSON')
    .addHelpText(
      'after',
      `
Examples:
  strom configs --describe --entity-type topics --entity-name quickstart-events
  strom configs --alter --entity-type topics --entity-name quickstart-events --add-config retention.ms=86400000,cleanup.policy=[delete,compact]
  strom configs --alter --entity-type topics --entity-name quickstart-events --delete-config retention.ms
  strom configs --describe --entity-type brokers --entity-name 1 --all
  strom configs --alter --entity-type users --entity-name alice --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret]'
  strom configs --describe --entity-type users --entity-name alice --command-config admin.properties`,
    )
    .action(commandAction(done, runConfigs));
}

type EntityType = 'topic' | 'broker' | 'user';

function entityType(opts: ConfigsOptions): EntityType {
  if (opts.entityType === 'topics') return 'topic';
  if (opts.entityType === 'brokers') return 'broker';
  if (opts.entityType === 'users') return 'user';
  throw new UsageError('--entity-type must be topics, brokers or users');
}

async function runConfigs(opts: ConfigsOptions): Promise<number | undefined> {
  if (Boolean(opts.describe) === Boolean(opts.alter))
    throw new UsageError('exactly one of --describe or --alter is required');
  const type = entityType(opts);
  if (opts.entityDefault && type !== 'broker')
    throw new UsageError('--entity-default applies to --entity-type brokers');
  if (opts.entityDefault && opts.entityName !== undefined) {
    throw new UsageError('--entity-name and --entity-default cannot be used together');
  }
  const admin = kafkaFor(opts, 'strom-configs').admin();
  try {
    if (type === 'user') {
      if (opts.describe) await describeUserScram(admin, opts.entityName);
      else if (opts.entityName === undefined) throw new UsageError('--alter needs --entity-name');
      else await alterUserScram(admin, opts.entityName, opts.addConfig, opts.deleteConfig);
      return undefined;
    }
    return opts.describe ? await describe(admin, opts, type) : await alter(admin, opts, type);
  } finally {
    await admin.close();
  }
}

function title(type: 'topic' | 'broker', name: string, all: boolean): string {
  if (name === '') return `${all ? 'All' : 'Default'} configs for brokers in the cluster are:`;
  return `${all ? 'All' : 'Dynamic'} configs for ${type} ${name} are:`;
}

async function describe(admin: Admin, opts: ConfigsOptions, type: 'topic' | 'broker'): Promise<undefined> {
  let names: string[];
  if (opts.entityDefault) names = [''];
  else if (opts.entityName !== undefined) names = [opts.entityName];
  else if (type === 'topic') names = await admin.listTopics();
  else names = (await admin.describeCluster()).brokers.map((b) => String(b.nodeId));
  const results =
    names.length === 0 ? [] : await admin.describeConfigs(names.map((name) => ({ type, name })));
  const shown = (entries: ConfigEntry[]): ConfigEntry[] =>
    (opts.all ? entries : entries.filter((e) => DYNAMIC_SOURCES.has(e.source))).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
  if (opts.json) {
    const json = results.map((r) => ({
      entityType: opts.entityType,
      entityName: r.name,
      configs: shown(r.configs).map((e) => ({
        name: e.name,
        value: e.isSensitive ? null : e.value,
        source: SOURCES[e.source] ?? 'UNKNOWN',
        readOnly: e.readOnly,
        sensitive: e.isSensitive,
      })),
    }));
    await writeOut(`${JSON.stringify(json, null, 2)}\n`);
    return undefined;
  }
  let out = '';
  for (const r of results) {
    out += `${title(type, r.name, opts.all === true)}\n`;
    for (const e of shown(r.configs)) {
      const value = e.isSensitive ? null : e.value;
      const source = SOURCES[e.source] ?? 'UNKNOWN';
      out += `  ${e.name}=${value ?? 'null'} sensitive=${e.isSensitive} synonyms={${source}:${e.name}=${value ?? 'null'}}\n`;
    }
  }
  await writeOut(out);
  return undefined;
}

async function alter(admin: Admin, opts: ConfigsOptions, type: 'topic' | 'broker'): Promise<undefined> {
  const name = opts.entityDefault ? '' : opts.entityName;
  if (name === undefined) throw new UsageError('--alter needs --entity-name or --entity-default');
  const set = parseKeyValues(opts.addConfig === undefined ? [] : [opts.addConfig], '--add-config');
  const remove = (opts.deleteConfig ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (set.size === 0 && remove.length === 0)
    throw new UsageError('--alter needs --add-config or --delete-config');
  for (const k of remove) {
    if (set.has(k)) throw new UsageError(`${k} is both added and deleted`);
  }
  await admin.alterConfigs([
    {
      type,
      name,
      configs: [
        ...[...set].map(([k, value]) => ({ name: k, op: 'set' as const, value })),
        ...remove.map((k) => ({ name: k, op: 'delete' as const })),
      ],
    },
  ]);
  await writeOut(
    name === ''
      ? 'Completed updating default config for brokers in the cluster.\n'
      : `Completed updating config for ${type} ${name}.\n`,
  );
  return undefined;
}
