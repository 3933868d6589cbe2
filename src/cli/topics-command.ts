import type { Command } from 'commander';
import type { Admin, TopicInfo } from '../client/index.js';
import { ClientError } from '../client/index.js';
import {
  type ConnectionOptions,
  collect,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { parseIntOption, parseKeyValues } from './key-values.js';
import { selectTopics } from './topic-selection.js';
import { UsageError } from './usage-error.js';

interface TopicsOptions extends ConnectionOptions {
  create?: boolean;
  list?: boolean;
  describe?: boolean;
  delete?: boolean;
  alter?: boolean;
  topic?: string;
  partitions?: string;
  replicationFactor?: string;
  config: string[];
  ifNotExists?: boolean;
  ifExists?: boolean;
  underReplicatedPartitions?: boolean;
  excludeInternal?: boolean;
  json?: boolean;
}

export function registerTopicsCommand(program: Command, done: (code: number) => void): void {
  connectionOptions(
    program
      .command('topics')
      .description("Create, list, describe, alter and delete topics (Kafka's kafka-topics.sh)"),
  )
    .option('--create', 'create a topic')
    .option('--list', 'list topic names')
    .option('--describe', 'describe topics and their partitions')
    .option('--alter', 'raise the partition count of a topic')
    .option('--delete', 'delete topics')
    .option('--topic <topic>', 'topic name (a regular expression for --list, --describe, --delete)')
    .option('--partitions <n>', 'partition count (--create, --alter)')
    .option('--replication-factor <n>', 'replication factor (--create)')
    .option('--config <key=value>', 'topic config override (--create); may be repeated', collect, [])
    .option('--if-not-exists', 'with --create: succeed when the topic exists')
    .option('--if-exists', 'with --alter or --delete: succeed when the topic does not exist')
    .option(
      '--under-replicated-partitions',
      'with --describe: only partitions whose ISR is smaller than their replicas',
    )
    .option('--exclude-internal', 'with --list or --describe: leave out internal topics')
    .option('--json', 'print --list and --describe as JSON')
    .addHelpText(
      'after',
      `
Examples:
  strom topics --create --topic quickstart-events --partitions 3 --config retention.ms=86400000
  strom topics --list
  strom topics --describe --topic quickstart-events
  strom topics --alter --topic quickstart-events --partitions 6
  strom topics --delete --topic quickstart-events`,
    )
    .action(commandAction(done, runTopics));
}

async function runTopics(opts: TopicsOptions): Promise<number | undefined> {
  const actions = (['create', 'list', 'describe', 'alter', 'delete'] as const).filter((a) => opts[a]);
  if (actions.length !== 1) {
    throw new UsageError('exactly one of --create, --list, --describe, --alter or --delete is required');
  }
  const action = actions[0];
  if ((action === 'create' || action === 'alter' || action === 'delete') && opts.topic === undefined) {
    throw new UsageError(`--${action} needs --topic`);
  }
  const admin = kafkaFor(opts, 'strom-topics').admin();
  try {
    switch (action) {
      case 'create':
        return await create(admin, opts);
      case 'list':
        return await list(admin, opts);
      case 'describe':
        return await describe(admin, opts);
      case 'alter':
        return await alter(admin, opts);
      case 'delete':
        return await remove(admin, opts);
    }
  } finally {
    await admin.close();
  }
}

async function create(admin: Admin, opts: TopicsOptions): Promise<number | undefined> {
  const topic = opts.topic!;
  try {
    await admin.createTopics([
      {
        topic,
        numPartitions:
          opts.partitions === undefined ? -1 : parseIntOption(opts.partitions, '--partitions', 1),
        replicationFactor:
          opts.replicationFactor === undefined
            ? -1
            : parseIntOption(opts.replicationFactor, '--replication-factor', 1),
        configs: Object.fromEntries(parseKeyValues(opts.config, '--config')),
      },
    ]);
  } catch (err) {
    if (opts.ifNotExists && err instanceof ClientError && err.kafkaName === 'TOPIC_ALREADY_EXISTS') return;
    throw err;
  }
  await writeOut(`Created topic ${topic}.\n`);
  return undefined;
}

async function list(admin: Admin, opts: TopicsOptions): Promise<number | undefined> {
  const names = await namesOf(admin, opts);
  await writeOut(opts.json ? `${JSON.stringify(names)}\n` : names.map((n) => `${n}\n`).join(''));
  return undefined;
}

function namesOf(admin: Admin, opts: TopicsOptions): Promise<string[]> {
  return selectTopics(admin, opts.topic, { excludeInternal: opts.excludeInternal === true });
}

async function describe(admin: Admin, opts: TopicsOptions): Promise<number | undefined> {
  const names = await namesOf(admin, opts);
  if (names.length === 0 && opts.topic !== undefined) {
    throw new ClientError('INVALID_ARGUMENT', `topic '${opts.topic}' does not exist`);
  }
  const topics = names.length === 0 ? [] : await admin.describeTopics(names);
  const configs =
    names.length === 0 ? [] : await admin.describeConfigs(names.map((name) => ({ type: 'topic', name })));
  const described = topics.map((t) => {
    const entries = configs.find((c) => c.name === t.name)?.configs ?? [];
    const partitions = opts.underReplicatedPartitions
      ? t.partitions.filter((p) => p.isr.length < p.replicas.length)
      : t.partitions;
    return {
      topic: t,
      partitions,
      // Kafka shows only the settings that differ from the defaults.
      configs: entries.filter((e) => !e.isDefault && !e.isSensitive).map((e) => `${e.name}=${e.value ?? ''}`),
    };
  });
  if (opts.json) {
    const json = described
      .filter((d) => !opts.underReplicatedPartitions || d.partitions.length > 0)
      .map((d) => ({
        topic: d.topic.name,
        topicId: d.topic.topicId,
        partitionCount: d.topic.partitions.length,
        replicationFactor: replicationFactor(d.topic),
        configs: Object.fromEntries(
          d.configs.map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]),
        ),
        partitions: d.partitions.map((p) => ({
          partition: p.partition,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
        })),
      }));
    await writeOut(`${JSON.stringify(json, null, 2)}\n`);
    return undefined;
  }
  let out = '';
  for (const d of described) {
    const t = d.topic;
    if (!opts.underReplicatedPartitions) {
      out += `Topic: ${t.name}\tTopicId: ${t.topicId}\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${replicationFactor(t)}\tConfigs: ${d.configs.join(',')}\n`;
    }
    for (const p of d.partitions) {
      const leader = p.leader < 0 ? 'none' : String(p.leader);
      out += `\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}\n`;
    }
  }
  await writeOut(out);
  return undefined;
}

function replicationFactor(t: TopicInfo): number {
  return t.partitions[0]?.replicas.length ?? 0;
}

async function alter(admin: Admin, opts: TopicsOptions): Promise<number | undefined> {
  if (opts.partitions === undefined) throw new UsageError('--alter needs --partitions');
  const count = parseIntOption(opts.partitions, '--partitions', 1);
  const names = await selectTopics(admin, opts.topic);
  if (names.length === 0) {
    if (opts.ifExists) return undefined;
    throw new ClientError('INVALID_ARGUMENT', `topic '${opts.topic}' does not exist`);
  }
  await admin.createPartitions(names.map((topic) => ({ topic, count })));
  return undefined;
}

async function remove(admin: Admin, opts: TopicsOptions): Promise<number | undefined> {
  // Internal topics are never deleted by a pattern, as in Kafka (which refuses to delete them).
  const names = await selectTopics(admin, opts.topic, { excludeInternal: true });
  if (names.length === 0) {
    if (opts.ifExists) return undefined;
    throw new ClientError('INVALID_ARGUMENT', `topic '${opts.topic}' does not exist`);
  }
  await admin.deleteTopics(names);
  return undefined;
}
