import { ClientError } from '../../client/index.js';

/**
 * Kafka errors by which a stream thread learns that its tasks are no longer its own: its producer
 * was fenced (another producer with its transactional id, or the coordinator aborted its
 * transaction past transaction.timeout.ms and bumped the epoch), or the group moved on without it
 * (an offset commit from an old generation). Kafka Streams turns each into a TaskMigratedException
 * (StreamsProducer, RecordCollectorImpl, TaskManager.commitOffsetsOrTransaction).
 */
const MIGRATED: ReadonlySet<string> = new Set([
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_EPOCH',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'FENCED_INSTANCE_ID',
  'REBALANCE_IN_PROGRESS',
]);

/**
 * Whether `err`, or an error it wraps, says the thread's tasks migrated: the thread then closes
 * them dirty, makes a new producer and rejoins, rather than failing (StreamThread.handleTaskMigrated).
 */
export function isTaskMigrated(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++)
    if (e instanceof ClientError && e.kafkaName !== null && MIGRATED.has(e.kafkaName)) return true;
  return false;
}
