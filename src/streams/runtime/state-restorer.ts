import type { Kafka, TopicPartition } from '../../client/index.js';
import type { ChangelogRecord } from '../state/state-store.js';
import type { StreamTask } from './stream-task.js';

/** What a restore did: records replayed, and per changelog topic the offset of the last one. */
export interface RestoreResult {
  restored: number;
  lastOffsets: Map<string, bigint>;
}

/**
 * Replays a task's changelogs into its stores before it processes, as Kafka's StoreChangelogReader:
 * partition `task.partition` of each changelog up to its end as of now (the last stable offset
 * under exactly_once_v2, so aborted writes are never restored). A persistent store whose
 * checkpoint gives an offset is restored from the record after it; without one, or when the
 * offset is outside the changelog (it was deleted and made again, or truncated), the store is
 * wiped and restored from the beginning.
 */
export async function restoreTask(
  kafka: Kafka,
  task: StreamTask,
  readCommitted: boolean,
  checkpoint: ReadonlyMap<string, bigint> = new Map(),
): Promise<RestoreResult> {
  const changelogs = task.changelogTopics();
  const lastOffsets = new Map<string, bigint>();
  if (changelogs.length === 0) return { restored: 0, lastOffsets };
  const consumer = kafka.consumer({
    isolationLevel: readCommitted ? 'read_committed' : 'read_uncommitted',
    autoOffsetReset: 'earliest',
    maxPollRecords: 10_000,
  });
  let restored = 0;
  try {
    const tps: TopicPartition[] = changelogs.map((c) => ({ topic: c.topic, partition: task.id.partition }));
    consumer.assign(tps);
    await consumer.seekToBeginning(tps);
    const begins = new Map(tps.map((tp) => [tp.topic, consumer.position(tp) ?? 0n]));
    await consumer.seekToEnd(tps);
    const ends = new Map(tps.map((tp) => [tp.topic, consumer.position(tp) ?? 0n]));
    for (const c of changelogs) {
      const tp = { topic: c.topic, partition: task.id.partition };
      const checkpointed = c.persistent ? checkpoint.get(`${c.topic}\u0000${task.id.partition}`) : undefined;
      const from = checkpointed === undefined ? null : checkpointed + 1n;
      if (from !== null && from >= begins.get(c.topic)! && from <= ends.get(c.topic)!) {
        consumer.seek(tp, from);
        lastOffsets.set(c.topic, checkpointed!);
      } else {
        task.wipeStore(c.store);
        consumer.seek(tp, begins.get(c.topic)!);
      }
    }
    const storeOf = new Map(changelogs.map((c) => [c.topic, c.store]));
    const done = (): boolean => tps.every((tp) => (consumer.position(tp) ?? 0n) >= ends.get(tp.topic)!);
    while (!done()) {
      const records = await consumer.poll({ timeoutMs: 500 });
      const batches = new Map<string, ChangelogRecord[]>();
      for (const r of records) {
        lastOffsets.set(r.topic, r.offset);
        if (r.key === null) continue;
        let batch = batches.get(r.topic);
        if (!batch) {
          batch = [];
          batches.set(r.topic, batch);
        }
        batch.push({ key: r.key, value: r.value, timestampMs: Number(r.timestamp) });
      }
      for (const [topic, batch] of batches) {
        task.restore(storeOf.get(topic)!, batch);
        restored += batch.length;
      }
    }
  } finally {
    await consumer.close();
  }
  return { restored, lastOffsets };
}
