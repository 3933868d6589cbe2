import type { Command } from 'commander';
import type { Admin, PartitionProducers, ProducerState } from '../client/index.js';
import { formatColumns } from './columns.js';
import {
  type ConnectionOptions,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { parseIntOption } from './key-values.js';
import { UsageError } from './usage-error.js';

const LIST_HEADERS = ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'];
const DESCRIBE_HEADERS = [
  'CoordinatorId',
  'TransactionalId',
  'ProducerId',
  'ProducerEpoch',
  'TransactionState',
  'TransactionTimeoutMs',
  'CurrentTransactionStartTimeMs',
  'TransactionDurationMs',
  'TopicPartitions',
];
const PRODUCERS_HEADERS = [
  'ProducerId',
  'ProducerEpoch',
  'LatestCoordinatorEpoch',
  'LastSequence',
  'LastTimestamp',
  'CurrentTransactionStartOffset',
];
const HANGING_HEADERS = [
  'Topic',
  'Partition',
  'ProducerId',
  'ProducerEpoch',
  'CoordinatorEpoch',
  'StartOffset',
  'LastTimestamp',
  'Duration(min)',
];

interface SubcommandOptions extends ConnectionOptions {
  transactionalId?: string;
  topic?: string;
  partition?: string;
  brokerId?: string;
  startOffset?: string;
  producerId?: string;
  producerEpoch?: string;
  coordinatorEpoch?: string;
  durationFilter?: string;
  maxTransactionTimeout: string;
}

/**
 * `strom transactions`, Kafka's kafka-transactions.sh: list, describe, describe-producers, abort
 * and find-hanging, with its flags and columns. --bootstrap-server goes before the subcommand, as
 * in Kafka, or after it.
 */
export function registerTransactionsCommand(program: Command, done: (code: number) => void): void {
  const parent = connectionOptions(
    program
      .command('transactions')
      .description("List, describe and abort transactions (Kafka's kafka-transactions.sh)"),
  ).addHelpText(
    'after',
    `
Examples:
  strom transactions --bootstrap-server localhost:9092 list
  strom transactions describe --transactional-id my-app-1
  strom transactions describe-producers --topic orders --partition 0
  strom transactions abort --topic orders --partition 0 --start-offset 42
  strom transactions find-hanging --broker-id 1`,
  );
  const sub = (
    name: string,
    description: string,
    run: (admin: Admin, o: SubcommandOptions) => Promise<void>,
  ) =>
    parent
      .command(name)
      .description(description)
      .option('--bootstrap-server <host:port>', 'broker(s) to connect to, comma-separated')
      .option('--command-config <file>', 'Kafka client properties (security.protocol, sasl.*, ssl.*)')
      .option('--verbose', 'print stack traces of errors')
      .action((opts: SubcommandOptions, cmd: Command) => {
        // Flags given before the subcommand, unless given again after it.
        const merged = {
          ...(cmd.parent?.opts() as ConnectionOptions),
          ...definedOnly(opts),
        } as SubcommandOptions;
        return commandAction<SubcommandOptions>(done, async (o) => {
          const admin = kafkaFor(o, 'strom-transactions').admin();
          try {
            await run(admin, o);
          } finally {
            await admin.close();
          }
          return undefined;
        })(merged);
      });

  sub('list', 'list transactions', runList).option(
    '--duration-filter <ms>',
    'only transactions running longer than this (ms); all when negative',
  );
  sub('describe', 'describe the state of an active transactional-id', runDescribe).requiredOption(
    '--transactional-id <id>',
    'transactional id',
  );
  sub(
    'describe-producers',
    'describe the states of active producers for a topic partition',
    runDescribeProducers,
  )
    .requiredOption('--topic <topic>', 'topic name')
    .requiredOption('--partition <n>', 'partition number')
    .option('--broker-id <id>', 'describe the producer state on this replica instead of the leader');
  sub('abort', 'abort a hanging transaction (requires administrative privileges)', runAbort)
    .requiredOption('--topic <topic>', 'topic name')
    .requiredOption('--partition <n>', 'partition number')
    .option('--start-offset <offset>', 'start offset of the transaction to abort')
    .option('--producer-id <id>', 'producer id (instead of --start-offset)')
    .option('--producer-epoch <epoch>', 'producer epoch (with --producer-id)')
    .option('--coordinator-epoch <epoch>', 'coordinator epoch (with --producer-id)');
  sub('find-hanging', 'find hanging transactions', runFindHanging)
    .option('--broker-id <id>', 'broker id to search for hanging transactions')
    .option('--topic <topic>', 'topic name to limit search to (required if --partition is specified)')
    .option('--partition <n>', 'partition number')
    .option(
      '--max-transaction-timeout <minutes>',
      'maximum transaction timeout in minutes to limit the scope of the search',
      '15',
    );
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function runList(admin: Admin, o: SubcommandOptions): Promise<void> {
  const durationFilterMs =
    o.durationFilter === undefined ? -1 : parseIntOption(o.durationFilter, '--duration-filter');
  const listings = await admin.listTransactions({ durationFilterMs });
  const rows = listings.map((l) => [
    l.transactionalId,
    String(l.coordinatorId),
    String(l.producerId),
    l.state,
  ]);
  await writeOut(formatColumns(LIST_HEADERS, rows));
}

async function runDescribe(admin: Admin, o: SubcommandOptions): Promise<void> {
  const id = o.transactionalId!;
  const [d] = await admin.describeTransactions([id]).catch((err: Error) => {
    throw new Error(`Failed to describe transaction state of transactional-id \`${id}\`: ${err.message}`, {
      cause: err,
    });
  });
  const start = d!.transactionStartTimeMs;
  const row = [
    String(d!.coordinatorId),
    id,
    String(d!.producerId),
    String(d!.producerEpoch),
    d!.state,
    String(d!.transactionTimeoutMs),
    start === null ? 'None' : String(start),
    start === null ? 'None' : String(BigInt(Date.now()) - start),
    d!.topicPartitions.map((tp) => `${tp.topic}-${tp.partition}`).join(','),
  ];
  await writeOut(formatColumns(DESCRIBE_HEADERS, [row]));
}

async function runDescribeProducers(admin: Admin, o: SubcommandOptions): Promise<void> {
  const topic = o.topic!;
  const partition = parseIntOption(o.partition!, '--partition', 0);
  const brokerId = o.brokerId === undefined ? undefined : parseIntOption(o.brokerId, '--broker-id', 0);
  const [result] = await admin.describeProducers([{ topic, partition }], { brokerId }).catch((err: Error) => {
    const where = brokerId === undefined ? 'leader' : `broker ${brokerId}`;
    throw new Error(
      `Failed to describe producers for partition ${topic}-${partition} on ${where}: ${err.message}`,
      {
        cause: err,
      },
    );
  });
  const rows = (result?.activeProducers ?? []).map((p) => [
    String(p.producerId),
    String(p.producerEpoch),
    String(p.coordinatorEpoch ?? -1),
    String(p.lastSequence),
    String(p.lastTimestamp),
    p.currentTransactionStartOffset === null ? 'None' : String(p.currentTransactionStartOffset),
  ]);
  await writeOut(formatColumns(PRODUCERS_HEADERS, rows));
}

/** A whole number option that may exceed 2^53 (producer ids, offsets). */
function parseBigIntOption(value: string, flag: string): bigint {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag} must be an integer, got '${value}'`);
  return BigInt(value.trim());
}

async function runAbort(admin: Admin, o: SubcommandOptions): Promise<void> {
  const topic = o.topic!;
  const partition = parseIntOption(o.partition!, '--partition', 0);
  if (o.startOffset === undefined && o.producerId === undefined) {
    throw new UsageError(
      'The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) ' +
        'or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)',
    );
  }
  let spec: { producerId: bigint; producerEpoch: number; coordinatorEpoch: number };
  if (o.startOffset === undefined) {
    if (o.producerEpoch === undefined) throw new UsageError('Missing required argument --producer-epoch');
    if (o.coordinatorEpoch === undefined)
      throw new UsageError('Missing required argument --coordinator-epoch');
    spec = {
      producerId: parseBigIntOption(o.producerId!, '--producer-id'),
      producerEpoch: parseIntOption(o.producerEpoch, '--producer-epoch', 0),
      // A transaction that hung before its producer's first marker has coordinator epoch -1:
      // 0 is at most any real coordinator epoch, as Kafka's tool uses.
      coordinatorEpoch: Math.max(0, parseIntOption(o.coordinatorEpoch, '--coordinator-epoch')),
    };
  } else {
    const startOffset = parseBigIntOption(o.startOffset, '--start-offset');
    const [result] = await admin.describeProducers([{ topic, partition }]).catch((err: Error) => {
      throw new Error(
        `Failed to validate producer state for partition ${topic}-${partition}: ${err.message}`,
        {
          cause: err,
        },
      );
    });
    const found = result?.activeProducers.find((p) => p.currentTransactionStartOffset === startOffset);
    if (!found) {
      throw new Error(
        `Could not find any open transactions starting at offset ${startOffset} on partition ${topic}-${partition}`,
      );
    }
    spec = {
      producerId: found.producerId,
      producerEpoch: found.producerEpoch,
      coordinatorEpoch: Math.max(0, found.coordinatorEpoch ?? 0),
    };
  }
  await admin.abortTransaction({ topic, partition, ...spec });
}

interface OpenTransaction {
  topic: string;
  partition: number;
  producer: ProducerState;
}

/**
 * Kafka's FindHangingTransactionsCommand: open transactions on the partitions searched whose
 * producer wrote nothing for longer than the largest transaction timeout, and that no coordinator
 * still holds (no transactional id for the producer, or its ongoing transaction does not include
 * the partition): those will never get a marker and hold the last stable offset back.
 */
async function runFindHanging(admin: Admin, o: SubcommandOptions): Promise<void> {
  const brokerId = o.brokerId === undefined ? undefined : parseIntOption(o.brokerId, '--broker-id', 0);
  if (o.topic === undefined && brokerId === undefined) {
    throw new UsageError(
      'The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search',
    );
  }
  if (o.partition !== undefined && o.topic === undefined)
    throw new UsageError('The --partition argument requires --topic to be provided');
  const maxTimeoutMs = parseIntOption(o.maxTransactionTimeout, '--max-transaction-timeout', 0) * 60_000;
  const partitions = await partitionsToSearch(admin, o.topic, o.partition, brokerId);
  const described: PartitionProducers[] =
    partitions.length === 0 ? [] : await admin.describeProducers(partitions, { brokerId });
  const now = BigInt(Date.now());
  const candidates: OpenTransaction[] = described.flatMap((p) =>
    p.activeProducers
      .filter(
        (a) => a.currentTransactionStartOffset !== null && now - a.lastTimestamp >= BigInt(maxTimeoutMs),
      )
      .map((producer) => ({ topic: p.topic, partition: p.partition, producer })),
  );
  const hanging: OpenTransaction[] = [];
  if (candidates.length > 0) {
    const producerIds = [...new Set(candidates.map((c) => c.producer.producerId))];
    const listings = await admin.listTransactions({ producerIdFilters: producerIds });
    const idOf = new Map(listings.map((l) => [l.producerId, l.transactionalId]));
    const ids = [...new Set(idOf.values())];
    const descriptions = new Map<string, Awaited<ReturnType<Admin['describeTransactions']>>[number]>();
    for (const id of ids) {
      // A transactional id that expired meanwhile leaves its transactions hanging.
      const [d] = await admin.describeTransactions([id]).catch(() => []);
      if (d) descriptions.set(id, d);
    }
    for (const c of candidates) {
      const id = idOf.get(c.producer.producerId);
      const d = id === undefined ? undefined : descriptions.get(id);
      const held = d?.topicPartitions.some((tp) => tp.topic === c.topic && tp.partition === c.partition);
      if (!held) hanging.push(c);
    }
  }
  const rows = hanging.map((h) => [
    h.topic,
    String(h.partition),
    String(h.producer.producerId),
    String(h.producer.producerEpoch),
    String(h.producer.coordinatorEpoch ?? -1),
    String(h.producer.currentTransactionStartOffset ?? -1),
    String(h.producer.lastTimestamp),
    String((now - h.producer.lastTimestamp) / 60_000n),
  ]);
  await writeOut(formatColumns(HANGING_HEADERS, rows));
}

async function partitionsToSearch(
  admin: Admin,
  topic: string | undefined,
  partition: string | undefined,
  brokerId: number | undefined,
): Promise<{ topic: string; partition: number }[]> {
  if (topic !== undefined && partition !== undefined)
    return [{ topic, partition: parseIntOption(partition, '--partition', 0) }];
  const topics = topic !== undefined ? [topic] : await admin.listTopics({ includeInternal: false });
  if (topics.length === 0) return [];
  const infos = await admin.describeTopics(topics);
  return infos.flatMap((t) =>
    t.partitions
      .filter((p) => brokerId === undefined || p.replicas.includes(brokerId))
      .map((p) => ({ topic: t.name, partition: p.partition })),
  );
}
