import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type Admin, ClientError, type GroupOffset } from '../client/index.js';
import {
  type ConnectionOptions,
  collect,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { ExitCode } from './exit-codes.js';
import { parseIntOption } from './key-values.js';
import { parseDatetimeMs, parseIsoDurationMs, planOffsetReset, type ResetSpec } from './offset-reset-plan.js';
import { UsageError } from './usage-error.js';

interface StreamsResetOptions extends ConnectionOptions {
  applicationId: string;
  bootstrapServers?: string;
  inputTopics: string[];
  intermediateTopics: string[];
  toOffset?: string;
  toDatetime?: string;
  byDuration?: string;
  toEarliest?: boolean;
  toLatest?: boolean;
  shiftBy?: string;
  fromFile?: string;
  force?: boolean;
  dryRun?: boolean;
}

type Scenario = ResetSpec | { kind: 'file'; offsets: Map<string, bigint> };

export function registerStreamsApplicationResetCommand(program: Command, done: (code: number) => void): void {
  connectionOptions(
    program
      .command('streams-application-reset')
      .description(
        "Reset a Streams application so it reprocesses its input from scratch (Kafka's kafka-streams-application-reset.sh)",
      ),
  )
    .requiredOption('--application-id <id>', 'the Streams application ID (application.id)')
    .option('--bootstrap-servers <urls>', 'the same as --bootstrap-server (the older name)')
    .option(
      '--input-topics <list>',
      'comma-separated input topics: their offsets are reset (to the earliest by default); may be repeated',
      collect,
      [],
    )
    .option(
      '--intermediate-topics <list>',
      'comma-separated topics that are both output and input of the application: skipped to their end',
      collect,
      [],
    )
    .option('--to-offset <n>', 'reset input offsets to an offset')
    .option('--to-datetime <iso>', "reset input offsets to a time's offset, e.g. 2024-01-31T12:00:00.000")
    .option('--by-duration <duration>', 'reset input offsets to the offset of this long ago, e.g. PT1H')
    .option('--to-earliest', 'reset input offsets to the log start (the default)')
    .option('--to-latest', 'reset input offsets to the log end')
    .option('--shift-by <n>', 'move the committed input offsets by n (negative goes back)')
    .option('--from-file <csv>', 'reset input offsets to those of a TOPIC,PARTITION,OFFSET file')
    .option('--force', "remove the group's members first (instances that are stopped but not yet expired)")
    .option('--dry-run', 'show what would be done without doing it')
    .addHelpText(
      'after',
      `
Resets the group <application.id>'s committed offsets of the input topics, skips the intermediate
topics to their end and deletes the application's internal topics (<application.id>-...-changelog,
-repartition). Output topics are left alone; local state is removed by KafkaStreams.cleanUp().
Stop every instance of the application first.

Examples:
  strom streams-application-reset --application-id word-count --input-topics text-lines
  strom streams-application-reset --application-id word-count --input-topics text-lines --to-datetime 2024-01-31T12:00:00.000 --dry-run`,
    )
    .action(commandAction(done, runStreamsApplicationReset));
}

/** Kafka's topic names as its tool prints lists: [a, b]. */
const javaList = (items: readonly string[]): string => `[${items.join(', ')}]`;

const splitTopics = (values: readonly string[]): string[] =>
  [...new Set(values.flatMap((v) => v.split(',')).map((t) => t.trim()))].filter(Boolean);

function scenario(opts: StreamsResetOptions): Scenario {
  const specs: Scenario[] = [];
  if (opts.toEarliest) specs.push({ kind: 'earliest' });
  if (opts.toLatest) specs.push({ kind: 'latest' });
  if (opts.toOffset !== undefined)
    specs.push({ kind: 'offset', offset: BigInt(parseIntOption(opts.toOffset, '--to-offset', 0)) });
  if (opts.shiftBy !== undefined)
    specs.push({ kind: 'shift', by: BigInt(parseIntOption(opts.shiftBy, '--shift-by')) });
  if (opts.toDatetime !== undefined)
    specs.push({ kind: 'datetime', timestampMs: parseDatetimeMs(opts.toDatetime) });
  if (opts.byDuration !== undefined)
    specs.push({ kind: 'datetime', timestampMs: Date.now() - parseIsoDurationMs(opts.byDuration) });
  if (opts.fromFile !== undefined) specs.push({ kind: 'file', offsets: readResetPlan(opts.fromFile) });
  if (specs.length > 1)
    throw new UsageError(
      'choose one of --to-offset, --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by or --from-file',
    );
  return specs[0] ?? { kind: 'earliest' };
}

/** A reset plan as Kafka's tool reads it: one TOPIC,PARTITION,OFFSET per line. */
export function parseResetPlan(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new UsageError('the reset plan CSV file is empty');
  for (const line of lines) {
    const parts = line.trim().split(',');
    if (parts.length !== 3 || !/^\d+$/.test(parts[1]!) || !/^-?\d+$/.test(parts[2]!))
      throw new UsageError('the reset plan CSV file is not following the format `TOPIC,PARTITION,OFFSET`');
    out.set(`${parts[0]}\u0000${parts[1]}`, BigInt(parts[2]!));
  }
  return out;
}

function readResetPlan(path: string): Map<string, bigint> {
  try {
    return parseResetPlan(readFileSync(path, 'utf8'));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * Kafka's StreamsResetter.isInternalTopic: a topic of the application (`<application.id>-` prefix)
 * named as Kafka Streams names its internal topics, and not one the user named as input or
 * intermediate (KAFKA-7930).
 */
export function isInternalTopic(
  topic: string,
  applicationId: string,
  userTopics: ReadonlySet<string>,
): boolean {
  if (userTopics.has(topic) || !topic.startsWith(`${applicationId}-`)) return false;
  return (
    topic.endsWith('-changelog') ||
    topic.endsWith('-repartition') ||
    topic.endsWith('-subscription-registration-topic') ||
    topic.endsWith('-subscription-response-topic') ||
    /.+-KTABLE-FK-JOIN-SUBSCRIPTION-(REGISTRATION|RESPONSE)-\d+-topic$/.test(topic)
  );
}

async function runStreamsApplicationReset(opts: StreamsResetOptions): Promise<number> {
  if (opts.bootstrapServers !== undefined) opts.bootstrapServer = opts.bootstrapServers;
  const groupId = opts.applicationId;
  const inputTopics = splitTopics(opts.inputTopics);
  const intermediateTopics = splitTopics(opts.intermediateTopics);
  const spec = scenario(opts);
  const admin = kafkaFor(opts, 'strom-streams-application-reset').admin();
  const out: string[] = [];
  let exitCode: number = ExitCode.OK;
  try {
    await maybeRemoveActiveMembers(admin, groupId, opts.force === true, out);
    const allTopics = new Set(await admin.listTopics());
    if (opts.dryRun)
      out.push(
        '----Dry run displays the actions which will be performed when running Streams Reset Tool----',
      );
    if (inputTopics.length === 0 && intermediateTopics.length === 0) {
      out.push('No input or intermediate topics specified. Skipping seek.');
    } else {
      if (inputTopics.length > 0) out.push(`Reset-offsets for input topics ${javaList(inputTopics)}`);
      if (intermediateTopics.length > 0)
        out.push(`Seek-to-end for intermediate topics ${javaList(intermediateTopics)}`);
      const missingInput = inputTopics.filter((t) => !allTopics.has(t));
      const missingIntermediate = intermediateTopics.filter((t) => !allTopics.has(t));
      if (missingInput.length > 0) {
        out.push(
          'Following input topics are not found, skipping them',
          ...missingInput.map((t) => `Topic: ${t}`),
        );
        exitCode = ExitCode.FAILED;
      }
      if (missingIntermediate.length > 0) {
        out.push(
          'Following intermediate topics are not found, skipping them',
          ...missingIntermediate.map((t) => `Topic: ${t}`),
        );
        exitCode = ExitCode.FAILED;
      }
      const plan = await resetPlan(
        admin,
        groupId,
        inputTopics.filter((t) => allTopics.has(t)),
        intermediateTopics.filter((t) => allTopics.has(t)),
        spec,
        out,
      );
      if (plan.length > 0) {
        if (!opts.dryRun) await admin.alterGroupOffsets(groupId, plan);
        out.push('Done.');
      }
    }
    out.push(`Deleting all internal/auto-created topics for application ${groupId}`);
    const userTopics = new Set([...inputTopics, ...intermediateTopics]);
    const internal = [...allTopics].filter((t) => isInternalTopic(t, groupId, userTopics)).sort();
    if (opts.dryRun) out.push(...internal.map((t) => `Topic: ${t}`));
    else if (internal.length > 0) await admin.deleteTopics(internal);
    out.push('Done.');
  } finally {
    await admin.close();
    await writeOut(out.map((l) => `${l}\n`).join(''));
  }
  return exitCode;
}

/** Refuses while the group has members, or removes them with --force (StreamsResetter.maybeDeleteActiveConsumers). */
async function maybeRemoveActiveMembers(
  admin: Admin,
  groupId: string,
  force: boolean,
  out: string[],
): Promise<void> {
  const [group] = await admin.describeGroups([groupId]);
  const members = group?.members ?? [];
  if (members.length === 0) return;
  if (force) {
    out.push(`Force deleting all active members in the group: ${groupId}`);
    await admin.removeMembersFromConsumerGroup(groupId);
    return;
  }
  const described = members.map(
    (m) =>
      `(memberId=${m.memberId}, groupInstanceId=${m.groupInstanceId}, clientId=${m.clientId}, host=${m.clientHost})`,
  );
  throw new ClientError(
    'INVALID_ARGUMENT',
    `Consumer group '${groupId}' is still active and has following members: ${javaList(described)}. ` +
      'Make sure to stop all running application instances before running the reset tool. ' +
      "You can use option '--force' to remove active members from the group.",
  );
}

/** The new committed offsets: the input topics' by the scenario, the intermediate topics' at their end. */
async function resetPlan(
  admin: Admin,
  groupId: string,
  inputTopics: readonly string[],
  intermediateTopics: readonly string[],
  spec: Scenario,
  out: string[],
): Promise<GroupOffset[]> {
  const partitionsOf = async (topics: readonly string[]) =>
    topics.length === 0
      ? []
      : (await admin.describeTopics(topics)).flatMap((t) =>
          t.partitions.map((p) => ({ topic: t.name, partition: p.partition })),
        );
  const inputs = await partitionsOf(inputTopics);
  const intermediates = await partitionsOf(intermediateTopics);
  const plan: GroupOffset[] = [];
  if (inputs.length > 0) {
    out.push(`Following input topics offsets will be reset to (for consumer group ${groupId})`);
    let offsets: GroupOffset[];
    if (spec.kind === 'file') {
      // Partitions the file leaves out stay where they are; the others are kept within the log,
      // as Kafka's resetOffsetsFromResetPlan and checkOffsetRange do.
      const [current, low, high] = await Promise.all(
        (['current', 'earliest', 'latest'] as const).map((kind) =>
          planOffsetReset(admin, groupId, inputs, { kind }),
        ),
      );
      offsets = current!.map((c, i) => {
        const target = spec.offsets.get(`${c.topic}\u0000${c.partition}`);
        if (target === undefined) return c;
        const lo = low![i]!.offset;
        const hi = high![i]!.offset;
        let offset = target;
        if (offset < lo) offset = lo;
        if (offset > hi) offset = hi;
        return { ...c, offset };
      });
    } else offsets = await planOffsetReset(admin, groupId, inputs, spec);
    for (const o of offsets) out.push(`Topic: ${o.topic} Partition: ${o.partition} Offset: ${o.offset}`);
    plan.push(...offsets);
  }
  if (intermediates.length > 0) {
    out.push(`Following intermediate topics offsets will be reset to end (for consumer group ${groupId})`);
    for (const t of intermediateTopics) out.push(`Topic: ${t}`);
    plan.push(...(await planOffsetReset(admin, groupId, intermediates, { kind: 'latest' })));
  }
  return plan;
}
