import type { Command } from 'commander';
import type { Admin, ConfigEntry } from '../client/index.js';
import {
  alterClientQuotaConfigs,
  describeClientQuotaConfigs,
  isQuotaKey,
  type QuotaEntityArg,
} from './client-quota-configs.js';
import {
  type ConnectionOptions,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { parseKeyValues } from './key-values.js';
import { UsageError } from './usage-error.js';
import { alterUserScram, describeUserScram, isScramKey } from './user-scram-configs.js';

interface ConfigsOptions extends ConnectionOptions {
  describe?: boolean;
  alter?: boolean;
  entityType?: string[];
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
  // --entity-name and --entity-default fill one list in command-line order, as kafka-configs.sh
  // pairs them with the --entity-type flags: the n-th name belongs to the n-th type.
  const names: string[] = [];
  const command = connectionOptions(
    program
      .command('configs')
      .description(
        "Describe and alter topic, broker, user and client configs: SCRAM credentials and client quotas (Kafka's kafka-configs.sh)",
      ),
  )
    .option('--describe', 'show configs')
    .option('--alter', 'change configs')
    .option(
      '--entity-type <type>',
      'topics, brokers, users or clients; users and clients together for a user and client id',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option(
      '--entity-name <name>',
      'topic name, broker id, user or client id (all of them when omitted with --describe)',
    )
    .option('--entity-default', 'instead of --entity-name: the default (brokers, users or clients)')
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
  strom configs --describe --entity-type users --entity-name alice --command-config admin.properties
  strom configs --alter --entity-type clients --entity-default --add-config producer_byte_rate=1048576,consumer_byte_rate=2097152
  strom configs --alter --entity-type users --entity-name alice --entity-type clients --entity-name app1 --add-config request_percentage=50
  strom configs --describe --entity-type users`,
    );
  command.on('option:entity-name', (name: string) => names.push(name));
  command.on('option:entity-default', () => names.push(''));
  command.action(commandAction(done, (opts: ConfigsOptions) => runConfigs(opts, names)));
}

type EntityType = 'topic' | 'broker' | 'user' | 'client';

function entityType(type: string): EntityType {
  if (type === 'topics') return 'topic';
  if (type === 'brokers') return 'broker';
  if (type === 'users') return 'user';
  if (type === 'clients') return 'client';
  throw new UsageError('--entity-type must be topics, brokers, users or clients');
}

async function runConfigs(opts: ConfigsOptions, names: readonly string[]): Promise<number | undefined> {
  if (Boolean(opts.describe) === Boolean(opts.alter))
    throw new UsageError('exactly one of --describe or --alter is required');
  const types = (opts.entityType ?? []).map(entityType);
  const type = types[0];
  if (type === undefined) throw new UsageError('--entity-type is required');
  if (names.length > types.length) throw new UsageError('More entity names specified than entity types');
  if (types.length > 1 && !(types.length === 2 && types.includes('user') && types.includes('client'))) {
    throw new UsageError('only users and clients may be given together as --entity-type');
  }
  const name = names[0];
  if (name === '' && type === 'topic') {
    throw new UsageError('--entity-default applies to --entity-type brokers, users or clients');
  }
  const admin = kafkaFor(opts, 'strom-configs').admin();
  try {
    if (type === 'user' || type === 'client') {
      const entities: QuotaEntityArg[] = types.map((t, i) => ({
        type: t === 'user' ? 'user' : 'client-id',
        name: names[i],
      }));
      if (opts.describe) {
        await describeClientQuotaConfigs(admin, entities);
        // kafka-configs.sh lists SCRAM credentials too when only users, and no default, are asked for.
        if (types.length === 1 && type === 'user' && name !== '') await describeUserScram(admin, name);
      } else await alterUserOrClient(admin, opts, types, entities);
      return undefined;
    }
    return opts.describe ? await describe(admin, opts, type, name) : await alter(admin, opts, type, name);
  } finally {
    await admin.close();
  }
}

/**
 * `--alter` of users and clients: quotas (AlterClientQuotas) or, for a user alone, SCRAM
 * credentials (AlterUserScramCredentials), never both at once, as ConfigCommand.alterConfig decides.
 */
async function alterUserOrClient(
  admin: Admin,
  opts: ConfigsOptions,
  types: readonly EntityType[],
  entities: readonly QuotaEntityArg[],
): Promise<void> {
  const added = parseKeyValues(opts.addConfig === undefined ? [] : [opts.addConfig], '--add-config');
  const deleted = (opts.deleteConfig ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (added.size === 0 && deleted.length === 0)
    throw new UsageError('--alter needs --add-config or --delete-config');
  const addedKeys = [...added.keys()];
  const quotaChange = addedKeys.some(isQuotaKey) || deleted.some(isQuotaKey);
  const scramAdded = addedKeys.filter(isScramKey);
  const scramDeleted = deleted.filter(isScramKey);
  const unknownAdded = addedKeys.filter((k) => !isQuotaKey(k) && !isScramKey(k));
  const unknownDeleted = deleted.filter((k) => !isQuotaKey(k) && !isScramKey(k));
  const typeHead = types[0] === 'user' ? 'users' : 'clients';
  if (types.includes('client')) {
    if (unknownAdded.length > 0 || scramAdded.length > 0) {
      throw new UsageError(
        `Only quota configs can be added for 'clients'. Unexpected config names: ${[...unknownAdded, ...scramAdded].join(',')}`,
      );
    }
    if (unknownDeleted.length > 0 || scramDeleted.length > 0) {
      throw new UsageError(
        `Only quota configs can be deleted for 'clients'. Unexpected config names: ${[...unknownDeleted, ...scramDeleted].join(',')}`,
      );
    }
  } else {
    if (unknownAdded.length > 0) {
      throw new UsageError(
        `Only quota and SCRAM credential configs can be added for 'users'. Unexpected config names: ${unknownAdded.join(',')}`,
      );
    }
    if (unknownDeleted.length > 0) {
      throw new UsageError(
        `Only quota and SCRAM credential configs can be deleted for 'users'. Unexpected config names: ${unknownDeleted.join(',')}`,
      );
    }
    if (scramAdded.length > 0 || scramDeleted.length > 0) {
      if (entities[0]?.name === '') {
        throw new UsageError('The use of --entity-default is not allowed with User SCRAM Credentials.');
      }
      if (quotaChange) {
        throw new UsageError(
          "Cannot alter both quota and SCRAM credential configs simultaneously for 'users'.",
        );
      }
    }
  }
  const nameHead = entities[0]?.name;
  if (!quotaChange) {
    if (nameHead === undefined) throw new UsageError('--alter needs --entity-name');
    await alterUserScram(admin, nameHead, opts.addConfig, opts.deleteConfig);
    return;
  }
  await alterClientQuotaConfigs(admin, entities, added, deleted);
  await writeOut(
    nameHead === ''
      ? `Completed updating default config for ${typeHead} in the cluster.\n`
      : `Completed updating config for ${typeHead.slice(0, -1)} ${nameHead}.\n`,
  );
}

function title(type: 'topic' | 'broker', name: string, all: boolean): string {
  if (name === '') return `${all ? 'All' : 'Default'} configs for brokers in the cluster are:`;
  return `${all ? 'All' : 'Dynamic'} configs for ${type} ${name} are:`;
}

async function describe(
  admin: Admin,
  opts: ConfigsOptions,
  type: 'topic' | 'broker',
  name: string | undefined,
): Promise<undefined> {
  let names: string[];
  if (name !== undefined) names = [name];
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
      entityType: opts.entityType?.[0],
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

async function alter(
  admin: Admin,
  opts: ConfigsOptions,
  type: 'topic' | 'broker',
  name: string | undefined,
): Promise<undefined> {
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
