import type { Command } from 'commander';
import type { Admin } from '../client/index.js';
import { ClientError } from '../client/index.js';
import { formatColumns } from './columns.js';
import {
  type ConnectionOptions,
  collect,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import {
  describeGroup,
  formatMembers,
  formatOffsetRows,
  formatState,
  groupJson,
  groupOffsetRows,
  offsetRowJson,
} from './group-describe.js';
import { parseIntOption } from './key-values.js';
import { parseDatetimeMs, parseIsoDurationMs, planOffsetReset, type ResetSpec } from './offset-reset-plan.js';
import { UsageError } from './usage-error.js';

interface ConsumerGroupsOptions extends ConnectionOptions {
  list?: boolean;
  describe?: boolean;
  delete?: boolean;
  resetOffsets?: boolean;
  group: string[];
  allGroups?: boolean;
  members?: boolean;
  state?: boolean;
  offsets?: boolean;
  topic: string[];
  allTopics?: boolean;
  toEarliest?: boolean;
  toLatest?: boolean;
  toCurrent?: boolean;
  toOffset?: string;
  toDatetime?: string;
  shiftBy?: string;
  byDuration?: string;
  dryRun?: boolean;
  execute?: boolean;
  json?: boolean;
}

export function registerConsumerGroupsCommand(program: Command, done: (code: number) => void): void {
  connectionOptions(
    program
      .command('consumer-groups')
      .description(
        "List, describe, delete consumer groups and reset their offsets (Kafka's kafka-consumer-groups.sh)",
      ),
  )
    .option('--list', 'list groups')
    .option('--describe', 'describe groups: offsets and lag (default), --members or --state')
    .option('--delete', 'delete groups (they must have no active members)')
    .option('--reset-offsets', 'move committed offsets (the group must have no active members)')
    .option('--group <group>', 'group id; may be repeated', collect, [])
    .option('--all-groups', 'with --describe or --delete: every group')
    .option('--members', 'with --describe: the members and how many partitions each owns')
    .option('--state', 'with --describe (or --list): coordinator, assignment strategy and state')
    .option('--offsets', 'with --describe: offsets and lag (the default)')
    .option(
      '--topic <topic[:partitions]>',
      'with --reset-offsets: a topic, optionally topic:0,1; may be repeated',
      collect,
      [],
    )
    .option('--all-topics', 'with --reset-offsets: every topic the group has offsets for')
    .option('--to-earliest', 'reset to the log start')
    .option('--to-latest', 'reset to the log end')
    .option('--to-current', 'reset to the committed offset')
    .option('--to-offset <n>', 'reset to an offset')
    .option(
      '--to-datetime <iso>',
      'reset to the first offset at or after a time, e.g. 2024-01-31T12:00:00.000',
    )
    .option('--shift-by <n>', 'move the committed offset by n (negative goes back)')
    .option('--by-duration <duration>', 'reset to the offset of this long ago, e.g. PT1H')
    .option('--dry-run', 'with --reset-offsets: show the new offsets only (the default)')
    .option('--execute', 'with --reset-offsets: commit the new offsets')
    .option('--json', 'print listings as JSON')
    .addHelpText(
      'after',
      `
Examples:
  strom consumer-groups --list
  strom consumer-groups --describe --group my-group
  strom consumer-groups --describe --group my-group --members
  strom consumer-groups --describe --group my-group --state
  strom consumer-groups --reset-offsets --group my-group --topic events --to-earliest --execute
  strom consumer-groups --reset-offsets --group my-group --topic events:0 --shift-by -10 --dry-run
  strom consumer-groups --delete --group my-group`,
    )
    .action(commandAction(done, runConsumerGroups));
}

async function runConsumerGroups(opts: ConsumerGroupsOptions): Promise<number | undefined> {
  const actions = (['list', 'describe', 'delete', 'resetOffsets'] as const).filter((a) => opts[a]);
  if (actions.length !== 1) {
    throw new UsageError('exactly one of --list, --describe, --delete or --reset-offsets is required');
  }
  const action = actions[0];
  if (action !== 'list' && opts.group.length === 0 && !opts.allGroups)
    throw new UsageError('--group is required');
  const admin = kafkaFor(opts, 'strom-consumer-groups').admin();
  try {
    switch (action) {
      case 'list':
        return await list(admin, opts);
      case 'describe':
        return await describe(admin, opts);
      case 'delete':
        return await remove(admin, opts);
      case 'resetOffsets':
        return await reset(admin, opts);
    }
  } finally {
    await admin.close();
  }
}

async function groupIds(admin: Admin, opts: ConsumerGroupsOptions): Promise<string[]> {
  return opts.allGroups ? (await admin.listGroups()).map((g) => g.groupId) : opts.group;
}

async function list(admin: Admin, opts: ConsumerGroupsOptions): Promise<undefined> {
  const groups = await admin.listGroups();
  if (opts.json)
    await writeOut(`${JSON.stringify(groups.map((g) => ({ group: g.groupId, state: g.state })))}\n`);
  else if (opts.state)
    await writeOut(
      formatColumns(
        ['GROUP', 'STATE'],
        groups.map((g) => [g.groupId, g.state]),
      ),
    );
  else await writeOut(groups.map((g) => `${g.groupId}\n`).join(''));
  return undefined;
}

async function describe(admin: Admin, opts: ConsumerGroupsOptions): Promise<undefined> {
  if ([opts.members, opts.state, opts.offsets].filter(Boolean).length > 1) {
    throw new UsageError('choose one of --members, --state or --offsets');
  }
  const json: unknown[] = [];
  let text = '';
  for (const id of await groupIds(admin, opts)) {
    const group = await describeGroup(admin, id);
    if (opts.state) {
      if (opts.json) json.push(groupJson(group));
      else text += `\n${formatState(group)}`;
      continue;
    }
    const empty = group.members.length === 0 ? `\nConsumer group '${id}' has no active members.\n` : '';
    if (opts.members) {
      if (opts.json) json.push(groupJson(group));
      else text += `${empty}\n${group.members.length > 0 ? formatMembers(group, opts.verbose === true) : ''}`;
      continue;
    }
    const rows = await groupOffsetRows(admin, group);
    if (opts.json) json.push(...rows.map(offsetRowJson));
    else text += `${empty}\n${formatOffsetRows(rows)}`;
  }
  await writeOut(opts.json ? `${JSON.stringify(json, null, 2)}\n` : text);
  return undefined;
}

async function remove(admin: Admin, opts: ConsumerGroupsOptions): Promise<undefined> {
  const ids = await groupIds(admin, opts);
  await admin.deleteGroups(ids);
  await writeOut(
    `Deletion of requested consumer groups (${ids.map((g) => `'${g}'`).join(', ')}) was successful.\n`,
  );
  return undefined;
}

function resetSpec(opts: ConsumerGroupsOptions): ResetSpec {
  const specs: ResetSpec[] = [];
  if (opts.toEarliest) specs.push({ kind: 'earliest' });
  if (opts.toLatest) specs.push({ kind: 'latest' });
  if (opts.toCurrent) specs.push({ kind: 'current' });
  if (opts.toOffset !== undefined)
    specs.push({ kind: 'offset', offset: BigInt(parseIntOption(opts.toOffset, '--to-offset', 0)) });
  if (opts.shiftBy !== undefined)
    specs.push({ kind: 'shift', by: BigInt(parseIntOption(opts.shiftBy, '--shift-by')) });
  if (opts.toDatetime !== undefined)
    specs.push({ kind: 'datetime', timestampMs: parseDatetimeMs(opts.toDatetime) });
  if (opts.byDuration !== undefined) {
    specs.push({ kind: 'datetime', timestampMs: Date.now() - parseIsoDurationMs(opts.byDuration) });
  }
  if (specs.length !== 1) {
    throw new UsageError(
      'exactly one of --to-earliest, --to-latest, --to-current, --to-offset, --to-datetime, --shift-by or --by-duration is required',
    );
  }
  return specs[0]!;
}

async function reset(admin: Admin, opts: ConsumerGroupsOptions): Promise<undefined> {
  const spec = resetSpec(opts);
  if (opts.dryRun && opts.execute) throw new UsageError('choose --dry-run or --execute, not both');
  if (opts.topic.length === 0 && !opts.allTopics)
    throw new UsageError('--reset-offsets needs --topic or --all-topics');
  if (!opts.dryRun && !opts.execute) {
    process.stderr.write(
      'WARN: No action will be performed as the --execute option is missing. Showing the new offsets only.\n',
    );
  }
  const rows: string[][] = [];
  const out: unknown[] = [];
  for (const groupId of await groupIds(admin, opts)) {
    const [group] = await admin.describeGroups([groupId]);
    if (group && group.state !== 'Empty' && group.state !== 'Dead') {
      throw new ClientError(
        'INVALID_ARGUMENT',
        `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${group.state}.`,
      );
    }
    const partitions = await resetPartitions(admin, groupId, opts);
    const plan = await planOffsetReset(admin, groupId, partitions, spec);
    if (opts.execute) await admin.alterGroupOffsets(groupId, plan);
    for (const p of plan) {
      rows.push([groupId, p.topic, String(p.partition), String(p.offset)]);
      out.push({ group: groupId, topic: p.topic, partition: p.partition, newOffset: Number(p.offset) });
    }
  }
  await writeOut(
    opts.json
      ? `${JSON.stringify(out, null, 2)}\n`
      : `\n${formatColumns(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], rows)}`,
  );
  return undefined;
}

/** The partitions --topic names (topic or topic:0,1,2), or all the group has offsets for. */
async function resetPartitions(
  admin: Admin,
  groupId: string,
  opts: ConsumerGroupsOptions,
): Promise<{ topic: string; partition: number }[]> {
  if (opts.allTopics) {
    return (await admin.listGroupOffsets(groupId)).map((o) => ({ topic: o.topic, partition: o.partition }));
  }
  const out: { topic: string; partition: number }[] = [];
  for (const arg of opts.topic) {
    const colon = arg.lastIndexOf(':');
    const topic = colon < 0 ? arg : arg.slice(0, colon);
    const [info] = await admin.describeTopics([topic]);
    const existing = info!.partitions.map((p) => p.partition);
    const wanted =
      colon < 0
        ? existing
        : arg
            .slice(colon + 1)
            .split(',')
            .map((p) => parseIntOption(p, '--topic partition', 0));
    for (const partition of wanted) {
      if (!existing.includes(partition)) {
        throw new ClientError('INVALID_ARGUMENT', `partition ${partition} of ${topic} does not exist`);
      }
      out.push({ topic, partition });
    }
  }
  return out;
}
